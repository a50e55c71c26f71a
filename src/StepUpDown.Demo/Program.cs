using StepUpDown.Demo;
using StepUpDown.Worker;

// The demo: `dotnet run --project src/StepUpDown.Demo`. The Demo environment's settings
// (appsettings.Demo.json) run the worker with the simulator and its mail relay, on a fast clock.
return await StepUpDownHost.RunToEndAsync(args, () => Demo.CreateAsync(args), "demo");
