using System.Text.RegularExpressions;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Architecture;

/// <summary>
/// Each capability declares its recurring jobs beside them, in its own <c>AddXyz</c>: the host's
/// Hangfire wiring names no capability's job, so a new job never needs the host changed.
/// </summary>
public sealed class JobDeclarationTests
{
    [Fact]
    public void TheHostsHangfireWiring_NamesNoCapabilitysJob()
    {
        var jobs = typeof(Integration.Jobs.RecurringJobs).Assembly.GetTypes()
            .Where(type => type.Name.EndsWith("Job", StringComparison.Ordinal) && type.GetMethod("ExecuteAsync") is not null)
            .Select(type => type.Name)
            .ToArray();
        var wiring = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "StepUpDown.Worker", "JobsServiceCollectionExtensions.cs"));

        jobs.ShouldNotBeEmpty();
        jobs.Where(job => Regex.IsMatch(wiring, $@"\b{job}\b")).ShouldBeEmpty();
    }
}
