using Serilog;
using StepUpDown.Demo;

// The demo: `dotnet run --project src/StepUpDown.Demo`. The Demo environment's settings
// (appsettings.Demo.json) run the worker with the simulator and its mail relay, on a fast clock.
Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    await using var worker = await Demo.CreateAsync(args);
    await worker.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is not OperationCanceledException)
{
    Log.Fatal(exception, "The demo stopped: {Reason}", exception.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
