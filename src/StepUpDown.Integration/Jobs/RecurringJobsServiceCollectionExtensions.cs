using Microsoft.Extensions.DependencyInjection;

namespace StepUpDown.Integration.Jobs;

/// <summary>How a capability declares its recurring jobs.</summary>
public static class RecurringJobsServiceCollectionExtensions
{
    /// <summary>Declares a capability's recurring jobs; the host registers them with Hangfire at start-up.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="declare">The jobs, from the capability's options.</param>
    /// <param name="ownsIdsStartingWith">See <see cref="RecurringJobs"/>.</param>
    public static IServiceCollection AddRecurringJobs(
        this IServiceCollection services, Func<IServiceProvider, IEnumerable<RecurringJobDeclaration>> declare, string? ownsIdsStartingWith = null) =>
        services.AddSingleton(new RecurringJobs(declare, ownsIdsStartingWith));
}
