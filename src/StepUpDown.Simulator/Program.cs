using StepUpDown.Domain.Time;
using StepUpDown.Simulator;

// Standalone: `dotnet run --project src/StepUpDown.Simulator -- --Simulator:Urls http://0.0.0.0:9090 --Clock:Speed 5040`.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = configuration.GetSection("Simulator").Get<SimulatorOptions>() ?? new SimulatorOptions();
var speed = configuration.GetValue("Clock:Speed", 1.0);
var app = new SimulatorApp(speed > 1 ? new AcceleratedTimeProvider(TimeProvider.System, speed) : TimeProvider.System).Build(options);
Console.WriteLine($"Case feed simulator on {options.Urls} (systems: social-care, early-help; clock x{speed})");
await app.RunAsync();
