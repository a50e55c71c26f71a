using Serilog;
using StepUpDown.Worker;

if (await Commands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    await using var worker = await StepUpDownHost.CreateAsync(args);
    await worker.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is not OperationCanceledException)
{
    Log.Fatal(exception, "The worker stopped: {Reason}", exception.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
