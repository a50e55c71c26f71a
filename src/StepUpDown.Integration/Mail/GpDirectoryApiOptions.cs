namespace StepUpDown.Integration.Mail;

/// <summary>The council's GP directory service (<c>Notifications:GpDirectoryApi</c>); unset: the file only.</summary>
public sealed class GpDirectoryApiOptions
{
    /// <summary>Base address of the service.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Accept an <c>http</c> address on another machine (a private trial network only).</summary>
    public bool AllowPlainHttp { get; set; }
}
