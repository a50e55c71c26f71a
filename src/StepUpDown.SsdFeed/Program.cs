using StepUpDown.SsdFeed;

// `dotnet run --project src/StepUpDown.SsdFeed`: the feed on the demo SSD it seeds in its private cluster.
// `dotnet run --project src/StepUpDown.SsdFeed -- accept-refresh`: accept the next refresh refused as half-loaded.
var accept = args.Length > 0 && args[0] == "accept-refresh";
var app = await SsdFeedHost.CreateAsync(accept ? args[1..] : args);
if (accept)
{
    await app.Services.GetRequiredService<StepUpDown.SsdFeed.ChangeLog.ChangeLog>().AcceptNextRefreshAsync(TimeProvider.System.GetUtcNow(), CancellationToken.None);
    Console.WriteLine("The next refresh that would be refused as half-loaded will be served.");
    await app.DisposeAsync();
    return;
}

Console.WriteLine($"SSD feed on {app.Services.GetRequiredService<SsdFeedOptions>().Urls}");
await app.RunAsync();
