using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// A real IMAP server: a throwaway Dovecot instance (Debian's <c>dovecot-imapd</c>, installed by
/// .ci/run) on a free loopback port, with one mailbox, <see cref="UserName"/>, in a folder of its
/// own that goes with it. Reports are put in it with APPEND, as a mail server delivers them.
/// Used by the tests (<see cref="DovecotFixture"/>) and linked into the bench.
/// </summary>
public sealed class ThrowawayDovecot : IAsyncDisposable
{
    public const string UserName = "bounces";
    public const string Password = "bounce mailbox password";

    private readonly string _folder = Directory.CreateTempSubdirectory("sud-dovecot-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort();

    private string ConfigPath => Path.Combine(_folder, "dovecot.conf");

    private ThrowawayDovecot()
    {
    }

    /// <summary>Starts an instance and waits until it lets its user in.</summary>
    public static async Task<ThrowawayDovecot> StartAsync()
    {
        var dovecot = new ThrowawayDovecot();
        try
        {
            await dovecot.StartServerAsync();
            return dovecot;
        }
        catch
        {
            await dovecot.DisposeAsync();
            throw;
        }
    }

    private async Task StartServerAsync()
    {
        var root = Environment.UserName == "root";
        // As root, Dovecot drops to its own users (made by the package); otherwise everything runs as this user.
        var (mailUser, internalUser, loginUser) = root ? ("dovecot", "dovecot", "dovenull") : (Environment.UserName, Environment.UserName, Environment.UserName);
        var mail = Directory.CreateDirectory(Path.Combine(_folder, "mail")).FullName;
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Dovecot runs on Linux: the bounce mailbox tests need a Debian-like machine.");
        }

        File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        if (root)
        {
            await RunAsync("chown", mailUser, mail);
        }

        await File.WriteAllTextAsync(Path.Combine(_folder, "passwd"), $"{UserName}:{{PLAIN}}{Password}\n");
        await File.WriteAllTextAsync(ConfigPath, $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{_folder}}/run
            state_dir = {{_folder}}/state
            instance_name = sud-dovecot-{{Port}}
            log_path = {{_folder}}/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{mail}}/%u
            first_valid_uid = 1
            default_internal_user = {{internalUser}}
            default_internal_group = {{internalUser}}
            default_login_user = {{loginUser}}
            passdb {
              driver = passwd-file
              args = {{_folder}}/passwd
            }
            userdb {
              driver = static
              args = uid={{mailUser}} gid={{mailUser}} home={{mail}}/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
            }
            service stats {
              unix_listener stats-reader {
                mode = 0666
              }
              unix_listener stats-writer {
                mode = 0666
              }
            }
            """);
        // In the foreground (-F), a child of the test run: a daemon would keep the output pipes open and outlive a crashed run.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOVECOT") ?? "dovecot")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-F", "-c", ConfigPath })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("Dovecot is not installed: run `apt-get install dovecot-imapd` (as .ci/run does) or set DOVECOT to its path.", exception);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = await ConnectAsync();
                return;
            }
            catch (Exception exception) when (exception is SocketException or IOException or ImapProtocolException && clock.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Puts a message in <paramref name="folder"/>, as the council's mail server delivers a report.</summary>
    public Task AppendAsync(string raw, string folder = "INBOX") => AppendAsync([raw], folder);

    /// <summary>Puts messages in <paramref name="folder"/>, many to a command (MULTIAPPEND); <paramref name="arrived"/> sets when they reached the mailbox (its INTERNALDATE).</summary>
    public async Task AppendAsync(IEnumerable<string> raws, string folder = "INBOX", DateTimeOffset? arrived = null)
    {
        using var client = await ConnectAsync();
        var target = folder == "INBOX" ? client.Inbox : await FolderMadeIfMissingAsync(client, folder);
        foreach (var batch in raws.Chunk(500))
        {
            await target.AppendAsync(batch.Select(raw => (IAppendRequest)new AppendRequest(Reports.Parse(raw)) { InternalDate = arrived }).ToList());
        }

        await client.DisconnectAsync(true);
    }

    private static async Task<IMailFolder> FolderMadeIfMissingAsync(ImapClient client, string name)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        return (await root.GetSubfoldersAsync(false)).FirstOrDefault(f => f.Name == name) ?? await root.CreateAsync(name, true)
            ?? throw new InvalidOperationException($"Dovecot made no folder {name}.");
    }

    /// <summary>How many IMAP logins Dovecot has logged so far.</summary>
    public int Logins
    {
        get
        {
            var log = Path.Combine(_folder, "dovecot.log");
            if (!File.Exists(log))
            {
                return 0;
            }

            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n').Count(line => line.Contains("imap-login", StringComparison.Ordinal) && line.Contains("Login: user=", StringComparison.Ordinal));
        }
    }

    /// <summary>How many messages <paramref name="folder"/> holds (0 when it does not exist yet).</summary>
    public async Task<int> CountAsync(string folder)
    {
        using var client = await ConnectAsync();
        try
        {
            var target = await client.GetFolderAsync(folder);
            await target.OpenAsync(FolderAccess.ReadOnly);
            return target.Count;
        }
        catch (FolderNotFoundException)
        {
            return 0;
        }
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
            await client.AuthenticateAsync(UserName, Password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
        }
    }
}
