using System.Diagnostics;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>Tests wait on a condition, never a fixed sleep: CI runs on a loaded 2-core machine.</summary>
public static class Wait
{
    /// <summary>Checks <paramref name="condition"/> every 100 ms until it holds; throws naming <paramref name="what"/> after the timeout (30 s).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{Task{bool}}, string, TimeSpan?)"/>, for a condition read in memory.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
