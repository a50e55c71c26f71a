using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Retention;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>
/// Each job's retry policy is its own: the delivery job's comes from <c>Notifications:MaxAttempts</c>
/// through the server's filter provider, every other job's from its own attribute, and Hangfire's
/// process-wide default (ten retries) governs none of them. Read from the filters the server would
/// apply, as Hangfire combines them.
/// </summary>
public sealed class DeliveryRetryPolicyTests
{
    private static AutomaticRetryAttribute RetryOf(Type jobType, int maxAttempts)
    {
        var server = new JobFilterProviderCollection(
            JobFilterProviders.Providers, new DeliveryRetryPolicy(Options.Create(new NotificationOptions { MaxAttempts = maxAttempts })));
        var job = new Job(jobType, jobType.GetMethod("ExecuteAsync")!, jobType.GetMethod("ExecuteAsync")!.GetParameters().Select(_ => (object?)null).ToArray());
        return server.GetFilters(job).Select(filter => filter.Instance).OfType<AutomaticRetryAttribute>().ShouldHaveSingleItem();
    }

    [Fact]
    public void ADeliveryJob_RetriesAsOftenAsConfigured_AndNotAfterAPermanentFailure()
    {
        var retry = RetryOf(typeof(SendNotificationJob), 7);

        (retry.Attempts, retry.OnAttemptsExceeded).ShouldBe((7, AttemptsExceededAction.Fail));
        retry.ExceptOn.ShouldBe([typeof(PermanentDeliveryException)]);
    }

    [Theory]
    [InlineData(typeof(DispatchNotificationsJob), 0)]
    [InlineData(typeof(ReadBounceMailboxJob), 0)]
    [InlineData(typeof(PollCaseFeedJob), 0)]
    [InlineData(typeof(SweepHandoversJob), 0)]
    [InlineData(typeof(SendHandoverDigestsJob), 5)]
    [InlineData(typeof(PurgeRetentionJob), 3)]
    public void EveryOtherJob_KeepsTheRetriesItsOwnAttributeNames(Type jobType, int attempts)
    {
        var retry = RetryOf(jobType, 7);

        retry.Attempts.ShouldBe(attempts);
    }
}
