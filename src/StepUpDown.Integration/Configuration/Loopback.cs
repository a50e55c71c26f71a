using System.Net;

namespace StepUpDown.Integration.Configuration;

/// <summary>
/// Whether a host is this machine. Children's data may cross plain HTTP or plain SMTP only to
/// this machine (a test double, the demo), unless a setting says so explicitly.
/// </summary>
public static class Loopback
{
    /// <summary>True for <c>localhost</c> and loopback addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string? host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host?.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>True for an <c>http</c> address of another machine: it would carry data in clear.</summary>
    public static bool IsPlainHttpElsewhere(Uri? address) =>
        address is { IsAbsoluteUri: true } && address.Scheme == Uri.UriSchemeHttp && !IsLoopback(address.Host);
}
