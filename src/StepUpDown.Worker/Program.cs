using Serilog;
using StepUpDown.Worker;

if (args is ["hash-password", ..])
{
    // Reads a password from standard input and prints the hash to put in Dashboard:LocalAccounts:NAME:PasswordHash.
    Console.Error.Write("Password: ");
    var password = Console.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("No password given.");
        return 2;
    }

    Console.WriteLine(StepUpDown.Worker.Dashboard.PasswordHash.Create(password));
    return 0;
}

if (args is ["health-check", var url])
{
    // For a container's HEALTHCHECK (the runtime image has no curl): exit 0 when the address answers 2xx.
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    try
    {
        return (await http.GetAsync(new Uri(url))).IsSuccessStatusCode ? 0 : 1;
    }
    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
    {
        return 1;
    }
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
