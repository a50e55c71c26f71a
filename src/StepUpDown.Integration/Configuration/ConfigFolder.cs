using System.Text.Json;

namespace StepUpDown.Integration.Configuration;

/// <summary>The folder of the council's editable configuration (<c>config/</c> beside the worker).</summary>
/// <param name="Path">Absolute path of the folder.</param>
public sealed record ConfigFolder(string Path)
{
    /// <summary>A file or folder named relative to the config folder (absolute names are kept).</summary>
    public string Resolve(string relativeOrAbsolute) => System.IO.Path.Combine(Path, relativeOrAbsolute);

    /// <summary>
    /// Reads and parses a council file named by setting <paramref name="key"/>. A file that is
    /// missing, unreadable or does not parse is an <see cref="InvalidOperationException"/> naming
    /// the key and the file, so start-up stops and says which setting to fix.
    /// </summary>
    public T Read<T>(string key, string fileName, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var path = Resolve(fileName);
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is IOException or JsonException or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{key}: could not read '{path}': {exception.Message}", exception);
        }
    }
}
