using StepUpDown.Worker;

if (await Commands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

return await StepUpDownHost.RunToEndAsync(() => StepUpDownHost.CreateAsync(args), "worker");
