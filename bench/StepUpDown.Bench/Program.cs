using System.Globalization;
using StepUpDown.Bench;

// dotnet run -c Release --project bench/StepUpDown.Bench [-- CHILDREN CHANGES PAGE_SIZE]   detection (issue 3)
// dotnet run -c Release --project bench/StepUpDown.Bench -- notifications [COUNT]         notifications (issue 4)
// dotnet run -c Release --project bench/StepUpDown.Bench -- crash [COUNT]                 kill -9 mid-burst, restart (issue 12)
// dotnet run -c Release --project bench/StepUpDown.Bench -- poison [CHILDREN CHANGES]     detection with 1 % poison records (issue 12)
// dotnet run -c Release --project bench/StepUpDown.Bench -- report [STEPS]                the monitoring report and audit trail over a year (issue 14)
// dotnet run -c Release --project bench/StepUpDown.Bench -- outage [NOTICES]              relay back after an outage -> last waiting notice accepted (issue 19)
// dotnet run -c Release --project bench/StepUpDown.Bench -- logins [MINUTES NOTICES]      a relay refusing logins, then taking them: logins asked, last notice out (issue 30)
// dotnet run -c Release --project bench/StepUpDown.Bench -- path [SECONDS]                change -> SMTP accepted: polled every minute, every 5 s, nudged; idle cost (issue 22)
// dotnet run -c Release --project bench/StepUpDown.Bench -- bounces [COUNT]               reports read per second from the bounce mailbox; report -> MASSH told (issue 21)
// dotnet run -c Release --project bench/StepUpDown.Bench -- sweep [HANDOVERS]             the handover sweep over many open handovers, first and steady (issue 20)
// dotnet run -c Release --project bench/StepUpDown.Bench -- ssd [PERSONS]                 the SSD feed's refresh over a county's dataset: first, unchanged, 1 % changed (issue 31)
static int Arg(string[] args, int index, int fallback) =>
    args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

switch (args)
{
    case ["feed", ..]:
        await FeedServer.RunAsync(Arg(args, 1, 0), Arg(args, 2, 0), Enum.Parse<Poison>(args[3]));
        break;
    case ["sink"]:
    {
        // The accept-everything relay as a process of its own: prints its port, then serves until killed.
        await using var sink = StepUpDown.Simulator.LoopbackSmtpRelay.Start(0, (_, _) => Task.CompletedTask);
        Console.WriteLine($"LISTENING {sink.Port}");
        await Task.Delay(Timeout.Infinite);
        break;
    }
    case ["worker", ..]:
    {
        await using var worker = await StepUpDown.Worker.StepUpDownHost.CreateAsync(args[1..]);
        await worker.RunAsync();
        break;
    }

    case ["poison", ..]:
        await DetectionBenchmark.RunPoisonAsync(Arg(args, 1, 50_000), Arg(args, 2, 20_000));
        break;
    case ["crash", ..]:
        await CrashBenchmark.RunAsync(Arg(args, 1, 2000));
        break;
    case ["outage", ..]:
        await OutageBenchmark.RunAsync(Arg(args, 1, 500));
        break;
    case ["logins", ..]:
        await OutageBenchmark.RunLoginsRefusedAsync(Arg(args, 2, 500), Arg(args, 1, 10));
        break;
    case ["path", ..]:
        await PathBenchmark.RunAsync(Arg(args, 1, 120));
        break;
    case ["bounces", ..]:
        await BounceBenchmark.RunAsync(Arg(args, 1, 10_000));
        break;
    case ["sweep", ..]:
        await SweepBenchmark.RunAsync(Arg(args, 1, 5000));
        break;
    case ["ssd", ..]:
        await SsdRefreshBenchmark.RunAsync(Arg(args, 1, 120_000));
        break;
    case ["report", ..]:
        await ReportBenchmark.RunAsync(Arg(args, 1, 500_000));
        break;
    case ["notifications", ..]:
        await NotificationBenchmark.RunAsync(Arg(args, 1, 5000));
        break;
    default:
        await DetectionBenchmark.RunAsync(Arg(args, 0, 100_000), Arg(args, 1, 20_000), Arg(args, 2, 1000));
        break;
}
