using System.Net;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>A case feed answered with an error after its retries. Carries no record data.</summary>
public sealed class CaseFeedUnavailableException : Exception
{
    /// <summary>Creates the exception for a source and the status it answered.</summary>
    public CaseFeedUnavailableException(string source, HttpStatusCode? statusCode)
        : base($"Case feed '{source}' answered {(int?)statusCode} ({statusCode}); the cursor was not moved.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A poll that could not go on safely: the feed's cursor does not move, or the run reached its
/// page or time limit (what was read so far is committed; the next run goes on from there).
/// Carries no record data.
/// </summary>
public sealed class CaseFeedRunStoppedException : Exception
{
    /// <summary>Creates the exception with its reason.</summary>
    public CaseFeedRunStoppedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedRunStoppedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedRunStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
