using StepUpDown.Worker;

if (await Commands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

return await StepUpDownHost.RunToEndAsync(args, () => StepUpDownHost.CreateAsync(args), "worker");
