using StepUpDown.Integration.Mail;
using System.Collections;
using System.Text.RegularExpressions;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Simulator;
using StepUpDown.Worker;
using YamlDotNet.RepresentationModel;

namespace StepUpDown.Integration.Tests.Worker;

/// <summary>
/// docker-compose.yml and the Dockerfile cannot run here (no Docker engine), so what can be
/// checked is checked: the file parses, every variable it sets is a real configuration key, its
/// secrets come from .env, and the images build with the same publish commands as CI.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = RepositoryRoot.Path;

    /// <summary>The configuration sections of each program and the options class each binds to.</summary>
    private static readonly Dictionary<string, Type> WorkerSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CaseFeeds"] = typeof(CaseFeedOptions),
        ["Mail"] = typeof(MailOptions),
        ["Council"] = typeof(CouncilOptions),
        ["Notifications"] = typeof(NotificationOptions),
        ["Handovers"] = typeof(HandoverOptions),
        ["Database"] = typeof(DatabaseOptions),
        ["Dashboard"] = typeof(StepUpDown.Worker.Dashboard.DashboardOptions),
        ["Health"] = typeof(HealthOptions),
        ["Clock"] = typeof(ClockOptions),
        ["Jobs"] = typeof(JobsOptions),
        ["Retention"] = typeof(StepUpDown.Integration.Retention.RetentionOptions),
    };

    private static readonly Dictionary<string, Type> SimulatorSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Simulator"] = typeof(SimulatorOptions),
        ["Clock"] = typeof(ClockOptions),
    };

    private static readonly Dictionary<string, Type> SsdFeedSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SsdFeed"] = typeof(StepUpDown.SsdFeed.SsdFeedOptions),
    };

    private static YamlMappingNode Compose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static Dictionary<string, string> Environment(string service)
    {
        var services = (YamlMappingNode)Compose()["services"];
        var environment = (YamlMappingNode)((YamlMappingNode)services[service])["environment"];
        return environment.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "");
    }

    /// <summary>True when <paramref name="key"/> (colon-separated) names a property path of the section's options, through dictionaries and lists.</summary>
    private static bool IsConfigurationKey(string key, Dictionary<string, Type> sections)
    {
        if (key is "Urls" or "ConnectionStrings:StepUpDown" or "DOTNET_ENVIRONMENT")
        {
            return true;
        }

        var segments = key.Split(':');
        if (!sections.TryGetValue(segments[0], out var type))
        {
            return false;
        }

        foreach (var segment in segments.Skip(1))
        {
            var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
            if (dictionary is not null)
            {
                type = dictionary.GetGenericArguments()[1];
                continue;
            }

            if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
            {
                if (!int.TryParse(segment, out _))
                {
                    return false;
                }

                type = type.GetGenericArguments()[0];
                continue;
            }

            var property = type.GetProperty(segment, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return false;
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        return true;
    }

    [Theory]
    [InlineData("worker")]
    [InlineData("simulator")]
    [InlineData("ssd-feed")]
    public void ComposeEnvironment_IsMadeOfRealConfigurationKeys(string service)
    {
        var sections = service switch { "worker" => WorkerSections, "simulator" => SimulatorSections, _ => SsdFeedSections };

        var unknown = Environment(service).Keys.Where(key => !IsConfigurationKey(key.Replace("__", ":", StringComparison.Ordinal), sections)).ToList();

        Environment(service).ShouldNotBeEmpty();
        unknown.ShouldBeEmpty();
    }

    [Fact]
    public void TheWorkerBinary_HoldsNoSimulator_AndItsConfigHoldsNoDemoSettings()
    {
        // The worker's own build output (as published into the image), not this test's folder, which holds the demo too.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var workerOutput = Path.Combine(Root, "src", "StepUpDown.Worker", "bin", here.Parent!.Name, here.Name);

        typeof(StepUpDownHost).Assembly.GetReferencedAssemblies().Select(a => a.Name).ShouldNotContain("StepUpDown.Simulator");
        File.Exists(Path.Combine(workerOutput, "StepUpDown.Worker.dll")).ShouldBeTrue(workerOutput);
        Directory.GetFiles(workerOutput, "appsettings.Demo.json", SearchOption.AllDirectories).ShouldBeEmpty("the demo's admin account and fast clock stay out of the worker");
        File.Exists(Path.Combine(workerOutput, "StepUpDown.Simulator.dll")).ShouldBeFalse();
        File.ReadAllText(Path.Combine(Root, "src", "StepUpDown.Worker", "StepUpDown.Worker.csproj")).ShouldNotContain("Simulator");
    }

    [Fact]
    public void SupplyChain_NewtonsoftJsonIsPastItsAdvisory_AndTheImageBuildContextHoldsNoSecretsTestsOrBench()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var deps = File.ReadAllText(Path.Combine(Root, "src", "StepUpDown.Worker", "bin", here.Parent!.Name, here.Name, "StepUpDown.Worker.deps.json"));
        var newtonsoft = NewtonsoftVersion().Matches(deps).Select(m => Version.Parse(m.Groups[1].Value)).ToList();
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(line => line.Trim()).ToHashSet(StringComparer.Ordinal);

        newtonsoft.ShouldNotBeEmpty("Hangfire brings Newtonsoft.Json");
        newtonsoft.ShouldAllBe(version => version >= new Version(13, 0, 1), "GHSA-5crp-9r3c-p9vr affects versions below 13.0.1");
        ignored.ShouldContain(".env");
        ignored.ShouldContain("tests/");
        ignored.ShouldContain("bench/");
    }

    [GeneratedRegex("\"Newtonsoft\\.Json/([0-9.]+)\"")]
    private static partial Regex NewtonsoftVersion();

    [Fact]
    public void TheKeyCheck_RejectsAMisspeltKey()
    {
        IsConfigurationKey("CaseFeeds:Sources:social-care:BaseUri", WorkerSections).ShouldBeFalse();
        IsConfigurationKey("Mail:Smtp:Hots", WorkerSections).ShouldBeFalse();
        IsConfigurationKey("Handovers:Ladders:standard:Stages:0:Roles:1", WorkerSections).ShouldBeTrue();
    }

    [Fact]
    public void ComposeSecrets_ComeFromDotEnv_AndDotEnvExampleNamesThemAll()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        var example = File.ReadAllLines(Path.Combine(Root, ".env.example"))
            .Where(line => line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            .Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);

        var referenced = Variable().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        referenced.ShouldNotBeEmpty();
        referenced.ShouldBeSubsetOf(example);
        text.ShouldNotContain("pbkdf2-sha256$");
        Environment("worker")["ConnectionStrings__StepUpDown"].ShouldContain("Password=${POSTGRES_PASSWORD}");
    }

    [Fact]
    public void DockerfileBuildStage_RunsTheSamePublishCommandsAsCi()
    {
        static string[] PublishCommands(IEnumerable<string> lines) => lines
            .Select(line => line.Trim())
            .Select(line => line.StartsWith("RUN ", StringComparison.Ordinal) ? line[4..] : line)
            .Where(line => line.StartsWith("dotnet publish ", StringComparison.Ordinal))
            .Select(line => line[..line.IndexOf(" -o ", StringComparison.Ordinal)])
            .ToArray();

        var docker = PublishCommands(File.ReadAllLines(Path.Combine(Root, "Dockerfile")));
        var ci = PublishCommands(File.ReadAllLines(Path.Combine(Root, ".ci", "run")));

        docker.Length.ShouldBe(3);
        ci.ShouldBe(docker);
    }

    [GeneratedRegex(@"\$\{([A-Z_]+)[:?}]")]
    private static partial Regex Variable();

    [Fact]
    public void TheWorkerHost_HoldsNoSql_EachCapabilityOwnsItsQueriesPagesAndChecks()
    {
        var host = Directory.GetFiles(Path.Combine(Root, "src", "StepUpDown.Worker"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        host.Where(f => File.ReadAllText(f) is var code && (code.Contains("using Dapper;", StringComparison.Ordinal) || code.Contains("SELECT ", StringComparison.Ordinal)))
            .Select(Path.GetFileName).ShouldBeEmpty();
    }
}
