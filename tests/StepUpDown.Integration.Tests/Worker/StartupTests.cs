using Microsoft.Extensions.Options;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

[Collection(IntegrationCollection.Name)]
public sealed class StartupTests(PostgresFixture postgres, MailDevFixture mail)
{
    [Theory]
    [InlineData("Mail:From", "")]
    [InlineData("Council:OutOfHoursPhone", "")]
    [InlineData("CaseFeeds:Sources:social-care:BaseUrl", "")]
    [InlineData("CaseFeeds:Sources:social-care:PageSize", "5000")]
    [InlineData("CaseFeeds:Sources:social-care:LevelCodes:CP", "child-protection-plan")]
    [InlineData("Handovers:Ladder", "no-such-ladder")]
    [InlineData("Handovers:Ladders:standard:Stages:1:Roles:0", "gp", "Handovers:Ladders:standard:Stages:1:Roles")]
    [InlineData("Handovers:Ladders:standard:Stages:2:WorkingDays", "4", "Handovers:Ladders:standard:Stages")]
    [InlineData("Handovers:TimeZone", "Mars/Olympus_Mons")]
    [InlineData("Handovers:HeadOfService:Email", "")]
    [InlineData("Handovers:DigestCron", "every monday")]
    [InlineData("Retention:Cron", "61 25 * * *")]
    [InlineData("Clock:Speed", "0")]
    [InlineData("Clock:Speed", "1440")]
    [InlineData("Telemetry:MetricsExporter", "otlp", "Telemetry:OtlpEndpoint")]
    [InlineData("Telemetry:MetricsExporter", "prometheus")]
    [InlineData("Dashboard:LocalAccounts:ops:PasswordHash", "plain-text-password", "Dashboard:LocalAccounts:ops:PasswordHash")]
    [InlineData("Continuum:Aliases:retired-level", "no-such-level", "Continuum:Aliases:retired-level")]
    [InlineData("Continuum:Aliases:early-help", "child-in-need", "Continuum:Aliases:early-help")]
    [InlineData("Database:Sessions:KeepAlive", "00:01:00", "Database:Sessions:KeepAlive")]
    [InlineData("Database:Sessions:HungAfter", "00:00:01", "Database:Sessions:HungAfter")]
    [InlineData("CaseFeeds:QuarantineListCron", "every morning")]
    [InlineData("Jobs:LeaseAliveFor", "00:00:10", "Jobs:LeaseAliveFor")]
    [InlineData("Jobs:StaleClaimAfter", "00:00:10", "Jobs:StaleClaimAfter")]
    public async Task Start_WithABadSetting_FailsNamingItsFullKey(string key, string value, string? named = null)
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), "http://127.0.0.1:9/", mail, s => s[key] = value));

        failure.Message.ShouldContain(named ?? key);
    }

    [Fact]
    public async Task ALevelRenamedAfterGoLive_StopsStartUpNamingItsCode_UntilAnAliasMapsIt_ThenItsChildrenAreJudgedFromIt()
    {
        using var feed = new FeedServer();
        var database = await postgres.CreateDatabaseAsync();
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await using (var before = await WorkerHarness.StartAsync(database, feed.Url, mail))
        {
            await before.PollAsync();
        }

        static void Renamed(Dictionary<string, string?> settings)
        {
            settings["Continuum:Levels:1:Code"] = "early-support";
            settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:LevelCodes:EH"] = "early-support";
        }

        var failure = await Should.ThrowAsync<OptionsValidationException>(async () => await WorkerHarness.StartAsync(database, feed.Url, mail, Renamed));
        await using var after = await WorkerHarness.StartAsync(database, feed.Url, mail, settings =>
        {
            Renamed(settings);
            settings["Continuum:Aliases:early-help"] = "early-support";
        });
        var polled = await after.PollAsync();

        failure.Message.ShouldContain("Continuum:Aliases");
        failure.Message.ShouldContain("'early-help'");
        polled.Steps.ShouldBe(1);
        (await after.QueryAsync<(string Kind, string From, string To)>("SELECT kind, from_level, to_level FROM stepupdown.steps"))
            .ShouldBe([("StepUp", "early-support", "child-protection")]);
    }

    [Fact]
    public async Task Start_WithBothApiKeyAndBearerToken_FailsNamingTheSource()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), "http://127.0.0.1:9/", mail,
                s => s["CaseFeeds:Sources:social-care:BearerToken"] = "token"));

        failure.Message.ShouldContain("CaseFeeds:Sources:social-care:ApiKey: Set exactly one of ApiKey and BearerToken.");
    }

    [Fact]
    public async Task Start_WithAnIdentityProviderOnPlainHttp_IsRefused()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s =>
            {
                s["Dashboard:Oidc:Authority"] = "http://login.council.example/";
                s["Dashboard:Oidc:ClientId"] = "stepupdown-dashboard";
            }));

        failure.Message.ShouldContain("Dashboard:Oidc:Authority: must be an https address");
    }

    [Fact]
    public async Task Start_WithSmtpSecurityThatCanFallBackToPlainText_IsRefused()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s["Mail:Smtp:Security"] = "StartTlsWhenAvailable"));

        failure.Message.ShouldContain("Mail:Smtp:Security");
    }

    [Theory]
    [InlineData("Notifications:SecureDomainsFile", "no-such-list.txt")]
    [InlineData("Notifications:GpDirectoryFile", "no-such-directory.json")]
    [InlineData("Handovers:CalendarFile", "no-such-bank-holidays.json")]
    [InlineData("Handovers:CalendarDivision", "atlantis")]
    [InlineData("Handovers:AgencyDirectoryFile", "no-such-agencies.json")]
    public async Task Start_WithAMissingCouncilFile_FailsNamingItsKey(string key, string value)
    {
        var failure = await Should.ThrowAsync<InvalidOperationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s[key] = value));

        failure.Message.ShouldContain(key);
    }

    [Fact]
    public async Task Start_WithAnUnreachableDatabase_SaysWhichSettingToCheck()
    {
        var failure = await Should.ThrowAsync<DatabaseUnavailableException>(async () =>
            await WorkerHarness.StartAsync("Host=127.0.0.1;Port=9;Username=nobody;Timeout=2", null, mail));

        failure.Message.ShouldContain("ConnectionStrings:StepUpDown");
    }

    [Fact]
    public async Task Start_WithNoSources_RunsAndPollsNothing()
    {
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail);

        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value LIKE 'poll-case-feed:%'")).ShouldBe(0);
        var log = await worker.StopAndReadLogAsync();
        log.ShouldContain("No case feeds configured");
    }

    [Fact]
    public async Task TheCouncilsRecurringJobs_RunInItsTimeZone_SoTheMondayDigestIsAt8InSummerAndWinter()
    {
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s["Handovers:TimeZone"] = "Europe/Dublin");

        using var connection = worker.Get<Hangfire.JobStorage>().GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).ToDictionary(job => job.Id);

        (jobs["handover-digests"].Cron, jobs["handover-digests"].TimeZoneId).ShouldBe(("0 8 * * 1", "Europe/Dublin"));
        jobs["purge-retention"].TimeZoneId.ShouldBe("Europe/Dublin");
        jobs["handover-digests"].NextExecution.ShouldNotBeNull().Hour.ShouldBeOneOf(7, 8); // 08:00 in Dublin is 08:00 UTC in winter, 07:00 in summer
    }

    /// <summary>A killed instance left the lock it held while scheduling a source's poll (CI saw it once, 2026-12-03).</summary>
    [Fact]
    public async Task Start_WhileAKilledInstancesHangfireLockIsLeft_StartsAnyway_AndRegistersThePollOnceTheLockEnds()
    {
        var database = await postgres.CreateDatabaseAsync();
        using var feed = new FeedServer();
        await (await WorkerHarness.StartAsync(database, feed.Url, mail)).DisposeAsync();
        await using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            await Dapper.SqlMapper.ExecuteAsync(
                connection, "INSERT INTO hangfire.lock (resource, acquired) VALUES ('hangfire:lock:recurring-job:poll-case-feed:social-care', now())");
        }

        await using var worker = await WorkerHarness.StartAsync(database, feed.Url, mail, s => s["CaseFeeds:Sources:social-care:PollCron"] = "*/7 * * * *");
        using var storage = worker.Get<Hangfire.JobStorage>().GetConnection();
        await worker.WaitUntilAsync(
            () => Task.FromResult(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(storage, ["poll-case-feed:social-care"]).Single().Cron == "*/7 * * * *"),
            "the poll is registered with its new cron once the dead instance's lock has ended",
            TimeSpan.FromSeconds(90));

        var log = await worker.StopAndReadLogAsync();
        log.ShouldContain("could not be registered yet: its Hangfire lock is held");
    }

    [Theory]
    [InlineData("Production", "Mail:Smtp:Host: no SMTP relay is set")]
    [InlineData("Staging", "Mail:Smtp:Host: no SMTP relay is set")]
    public async Task Start_WithNoSmtpHostOutsideDemoAndDevelopment_IsRefused_RatherThanFillAFolder(string environment, string expected)
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s.Remove("Mail:Smtp:Host"), environment));

        failure.Message.ShouldContain(expected);
    }

    [Fact]
    public async Task Start_WithNoSmtpHost_AndUseOutbox_WritesPrivateFiles_AndReadinessSaysNothingIsSent()
    {
        var outbox = Path.Combine(Path.GetTempPath(), $"sud-outbox-{Guid.NewGuid():N}");
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s =>
        {
            s.Remove("Mail:Smtp:Host");
            s["Mail:UseOutbox"] = "true";
            s["Mail:OutboxDirectory"] = outbox;
        });
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };

        var ready = await http.GetStringAsync("/health/ready");

        ready.ShouldContain("not sent to anyone");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(outbox).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(outbox, recursive: true);
    }

    [Theory]
    [InlineData("Mail:Smtp:Security", "None", "Mail:Smtp:Host", "smtp.council.example", "Mail:Smtp:Security")]
    [InlineData("CaseFeeds:Sources:social-care:BaseUrl", "http://feeds.council.example/", null, null, "CaseFeeds:Sources:social-care:BaseUrl: BaseUrl must be https")]
    public async Task Start_SendingChildrensDataInClearToAnotherMachine_IsRefused(string key, string value, string? otherKey, string? otherValue, string expected)
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), "http://127.0.0.1:9/", mail, s =>
            {
                s[key] = value;
                if (otherKey is not null)
                {
                    s[otherKey] = otherValue;
                }
            }));

        failure.Message.ShouldContain(expected);
    }

    [Fact]
    public async Task Start_WithAGpDirectoryOnPlainHttpElsewhere_IsRefused()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s["Notifications:GpDirectoryApi:BaseUrl"] = "http://gp.council.example/"));

        failure.Message.ShouldContain("Notifications:GpDirectoryApi:BaseUrl: must be https");
    }

    [Fact]
    public async Task AnInstanceOnAnOlderConfiguration_LeavesThePollsOfSourcesItDoesNotKnow_UnlessToldToRemoveThem()
    {
        var database = await postgres.CreateDatabaseAsync();
        const string TrialPoll = "SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = 'poll-case-feed:trial'";
        await using (var newer = await WorkerHarness.StartAsync(database, "http://127.0.0.1:9/", mail, s => WorkerHarness.AddSource(s, "trial", "http://127.0.0.1:9/")))
        {
            (await newer.QueryScalarAsync<long>(TrialPoll)).ShouldBe(1);
        }

        await using (var older = await WorkerHarness.StartAsync(database, "http://127.0.0.1:9/", mail))
        {
            (await older.QueryScalarAsync<long>(TrialPoll)).ShouldBe(1, "a rolling deploy: the older configuration does not delete the newer one's source");
        }

        await using var retiring = await WorkerHarness.StartAsync(database, "http://127.0.0.1:9/", mail, s => s["Jobs:RemoveUnknownSourceJobs"] = "true");
        (await retiring.QueryScalarAsync<long>(TrialPoll)).ShouldBe(0, "a source taken out of service, on purpose");
    }

    [Fact]
    public async Task Start_PlainHttpToAnotherMachine_WithItsExplicitLeave_Starts()
    {
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s =>
        {
            WorkerHarness.AddSource(s, "trial", "http://simulator.trial.internal/");
            s["CaseFeeds:Sources:trial:AllowPlainHttp"] = "true";
        });

        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = 'poll-case-feed:trial'")).ShouldBe(1);
    }
}
