using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Refit;
using StepUpDown.Domain.Continuum;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Registers the case feed clients and the poller.</summary>
public static class CaseFeedServiceCollectionExtensions
{
    /// <summary>
    /// One keyed Refit client per source, each behind the standard resilience handler
    /// (timeouts, jittered exponential retries on 5xx/408/429 honouring Retry-After, circuit breaker).
    /// <code>
    /// "Continuum": { "Levels": [ { "Code": "universal", "Name": "Universal" }, ... ] },
    /// "CaseFeeds": { "Sources": { "social-care": {
    ///     "BaseUrl": "https://feeds.council.example/social-care/", "ApiKey": "...",
    ///     "PollCron": "* * * * *", "PageSize": 200,
    ///     "LevelCodes": { "CIN": "child-in-need", "CP": "child-protection" },
    ///     "Resilience": { "MaxRetryAttempts": 4, "BaseDelay": "00:00:02", "AttemptTimeout": "00:00:30", "TotalTimeout": "00:03:00" } } } }
    /// </code>
    /// </summary>
    public static IHostApplicationBuilder AddCaseFeeds(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<ContinuumOptions>(builder.Configuration, ContinuumOptions.SectionName);
        services.AddValidatedOptions<CaseFeedOptions>(builder.Configuration, CaseFeedOptions.SectionName);
        services.AddSingleton<IValidateOptions<CaseFeedOptions>, LevelCodesValidator>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<ContinuumOptions>>().Value.ToContinuum());
        services.AddSingleton(provider => new LevelMaps(
            provider.GetRequiredService<ContinuumOfNeed>(),
            provider.GetRequiredService<IOptions<CaseFeedOptions>>().Value.Sources
                .Select(s => KeyValuePair.Create(s.Key, (IReadOnlyDictionary<string, string>)s.Value.LevelCodes))));
        services.AddSingleton<CaseFeedStore>();
        services.AddSingleton<FeedItemParser>();
        services.AddSingleton<Notifications.IChildPractice, CurrentPractice>();
        services.AddScoped<CaseFeedPoller>();
        services.AddScoped<PollCaseFeedJob>();
        services.AddSingleton<SourcePolls>();
        services.AddHostedService(provider => provider.GetRequiredService<SourcePolls>());
        services.AddHealthChecks().AddCheck<CaseFeedsCheck>("case-feeds", HealthStatus.Degraded, [HealthTags.Ready]);
        services.AddSingleton<IStartupTask, StoredLevelsCheck>();
        services.AddSingleton<QuarantineList>();
        services.AddScoped<SendQuarantineListJob>();
        services.AddRecurringJobs(
            provider =>
            {
                var feeds = provider.GetRequiredService<IOptions<CaseFeedOptions>>().Value;
                var councilTime = provider.GetRequiredService<IOptions<HandoverOptions>>().Value.CouncilZone();
                return
                [
                    .. feeds.Sources.Select(source => RecurringJobDeclaration.Of<PollCaseFeedJob>(
                        PollCaseFeedJob.RecurringJobId(source.Key), $"CaseFeeds:Sources:{source.Key}:PollCron", source.Value.PollCron,
                        job => job.ExecuteAsync(source.Key, CancellationToken.None))),
                    RecurringJobDeclaration.Of<SendQuarantineListJob>(
                        SendQuarantineListJob.RecurringJobId, "CaseFeeds:QuarantineListCron", feeds.QuarantineListCron, job => job.ExecuteAsync(CancellationToken.None), councilTime),
                ];
            },
            ownsIdsStartingWith: PollCaseFeedJob.RecurringJobId(""));
        services.AddDashboardPage(QuarantinePage.Route, "Quarantined records", () => new QuarantinePage());
        services.AddHealthChecks().AddCheck<QuarantineCheck>("quarantine", HealthStatus.Degraded, [HealthTags.Ready]);

        var sources = builder.Configuration.GetSection(CaseFeedOptions.SectionName).Get<CaseFeedOptions>()?.Sources ?? [];
        foreach (var name in sources.Keys)
        {
            AddSourceClient(services, name);
        }

        return builder;
    }

    private static void AddSourceClient(IServiceCollection services, string source)
    {
        services.AddKeyedRefitGeneratedClient<ICaseFeedApi>(source, _ => new RefitSettings(), $"case-feed:{source}")
            .ConfigureHttpClient((provider, client) =>
            {
                var options = Source(provider, source);
                client.BaseAddress = options.BaseUrl;
                // The resilience handler owns timeouts; this one only must not cut it short.
                client.Timeout = Timeout.InfiniteTimeSpan;
                if (!string.IsNullOrWhiteSpace(options.ApiKey))
                {
                    client.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
                }
                else
                {
                    client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.BearerToken);
                }
            })
            .AddHttpMessageHandler(provider => new ResponseSizeLimitHandler(Source(provider, source).MaxResponseBytes))
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
            {
                var options = Source(provider, source).Resilience;
                resilience.Retry.MaxRetryAttempts = options.MaxRetryAttempts;
                resilience.Retry.Delay = options.BaseDelay;
                resilience.Retry.BackoffType = DelayBackoffType.Exponential;
                resilience.Retry.UseJitter = true;
                resilience.Retry.ShouldRetryAfterHeader = true;
                resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
                resilience.CircuitBreaker.SamplingDuration = options.AttemptTimeout * 2;
            });
    }

    private static CaseFeedSourceOptions Source(IServiceProvider provider, string source) =>
        provider.GetRequiredService<IOptions<CaseFeedOptions>>().Value.Sources[source];
}
