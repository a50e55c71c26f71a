using Microsoft.Extensions.Options;
using MimeKit;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// The allow-list of domains child data may be sent to (<c>Notifications:SecureDomainsFile</c>):
/// one domain a line, <c>#</c> starts a comment. A listed domain allows its subdomains too
/// (<c>nhs.net</c> allows <c>x.nhs.net</c>). Read once at start-up; a missing file stops start-up.
/// </summary>
public sealed class SecureDomains
{
    private readonly HashSet<string> _domains;

    /// <summary>Reads the list.</summary>
    public SecureDomains(IOptions<NotificationOptions> options, ConfigFolder config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var path = config.Resolve(options.Value.SecureDomainsFile);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{NotificationOptions.SectionName}:SecureDomainsFile: the secure-domain list '{path}' does not exist.");
        }

        _domains = File.ReadAllLines(path)
            .Select(line => line.Split('#')[0].Trim().TrimStart('@').ToLowerInvariant())
            .Where(line => line.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether child data may be mailed to <paramref name="address"/>: every recipient, and every digest, is checked by this one rule.</summary>
    public AddressVerdict Check(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!MailboxAddress.TryParse(address, out _) || address != address.Trim())
        {
            return AddressVerdict.NotAnAddress;
        }

        return Allows(address) ? AddressVerdict.Allowed : AddressVerdict.NotAllowed;
    }

    /// <summary>True when the address's domain, or a parent of it, is on the list.</summary>
    public bool Allows(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var at = address.LastIndexOf('@');
        if (at < 0)
        {
            return false;
        }

        for (var domain = address[(at + 1)..].Trim().ToLowerInvariant(); domain.Length > 0;)
        {
            if (_domains.Contains(domain))
            {
                return true;
            }

            var dot = domain.IndexOf('.', StringComparison.Ordinal);
            domain = dot < 0 ? "" : domain[(dot + 1)..];
        }

        return false;
    }
}
