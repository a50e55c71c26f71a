namespace StepUpDown.Integration.Notifications;

/// <summary>Where a notice is in the ledger (<c>stepupdown.notifications.state</c>).</summary>
public enum NotificationState
{
    /// <summary>Not yet delivered: a dispatch will try, at once or at <c>next_attempt_at</c>.</summary>
    Pending,

    /// <summary>An attempt is under way, or was cut off (see <see cref="NotificationLedger.BeginAttemptAsync"/>).</summary>
    Sending,

    /// <summary>Accepted by the SMTP relay.</summary>
    Sent,

    /// <summary>
    /// Written to the <c>.eml</c> outbox (<c>Mail:UseOutbox</c>, or the Development environment):
    /// nobody has received it, so it never counts as the GP told.
    /// </summary>
    Written,

    /// <summary>Not to be sent: a GP is not written to without a usable NHS number.</summary>
    Withheld,

    /// <summary>Could not be delivered; the MASSH was told.</summary>
    Failed,

    /// <summary>
    /// Accepted by the relay, then reported undeliverable by the receiving side (a delivery status
    /// notification with <c>Action: failed</c>); the MASSH was told. It does not count as told.
    /// </summary>
    Bounced,
}

/// <summary>Why a notice's last attempt failed (<c>stepupdown.notifications.failure_kind</c>), which decides what happens next.</summary>
public enum DeliveryFailureKind
{
    /// <summary>The relay was not reached (connection, greeting, TLS, login): tried again, and at once when the relay answers again.</summary>
    NotReached,

    /// <summary>The relay was reached but the send broke off without its answer (a cut, a timeout): tried again on the retry schedule, and at once when the relay answers again after an outage.</summary>
    Interrupted,

    /// <summary>The relay deferred the message with a 4xx reply (greylisting, a busy mailbox): tried again on the retry schedule.</summary>
    Deferred,

    /// <summary>Trying again cannot help (a 5xx reply, a message that cannot be built, no address): failed at once.</summary>
    Refused,
}

/// <summary>
/// How the ledger's <c>state</c> column spells each <see cref="NotificationState"/> (and its
/// <c>failure_kind</c> each <see cref="DeliveryFailureKind"/>): the one place the names are written. SQL anywhere gets them from here (<see cref="Sql(NotificationState[])"/>),
/// so a state is renamed or added in one file.
/// </summary>
public static class NotificationStates
{
    /// <summary>Not delivered yet, and not given up: pending or sending.</summary>
    public static readonly NotificationState[] Undelivered = [NotificationState.Pending, NotificationState.Sending];

    /// <summary>The states that end a row: an attempt on one sends nothing.</summary>
    public static bool IsDone(NotificationState state) =>
        state is NotificationState.Sent or NotificationState.Written or NotificationState.Withheld or NotificationState.Bounced;

    /// <summary>The state as the ledger's <c>state</c> column holds it.</summary>
    public static string Column(NotificationState state) => state switch
    {
        NotificationState.Pending => "pending",
        NotificationState.Sending => "sending",
        NotificationState.Sent => "sent",
        NotificationState.Written => "written",
        NotificationState.Withheld => "withheld",
        NotificationState.Failed => "failed",
        NotificationState.Bounced => "bounced",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The failure kind as the ledger's <c>failure_kind</c> column holds it.</summary>
    public static string Column(DeliveryFailureKind kind) => kind switch
    {
        DeliveryFailureKind.NotReached => "not-reached",
        DeliveryFailureKind.Interrupted => "interrupted",
        DeliveryFailureKind.Deferred => "deferred",
        DeliveryFailureKind.Refused => "refused",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The failure kinds as SQL string literals, comma-separated: <c>failure_kind IN ({Sql(NotReached, Interrupted)})</c>.</summary>
    public static string Sql(params DeliveryFailureKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        return string.Join(", ", kinds.Select(kind => $"'{Column(kind)}'"));
    }

    /// <summary>The kinds of failure an outage of the relay causes: what is brought forward when it answers again.</summary>
    public static readonly DeliveryFailureKind[] OfAnOutage = [DeliveryFailureKind.NotReached, DeliveryFailureKind.Interrupted];

    /// <summary>Parses the <c>state</c> column.</summary>
    public static NotificationState Parse(string column) =>
        Enum.GetValues<NotificationState>().Single(state => Column(state) == column);

    /// <summary>The states as SQL string literals, comma-separated: <c>state IN ({Sql(Pending, Sending)})</c>.</summary>
    public static string Sql(params NotificationState[] states)
    {
        ArgumentNullException.ThrowIfNull(states);
        return string.Join(", ", states.Select(state => $"'{Column(state)}'"));
    }
}
