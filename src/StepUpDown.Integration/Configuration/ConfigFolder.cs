namespace StepUpDown.Integration.Configuration;

/// <summary>The folder of the council's editable configuration (<c>config/</c> beside the worker).</summary>
/// <param name="Path">Absolute path of the folder.</param>
public sealed record ConfigFolder(string Path)
{
    /// <summary>A file or folder named relative to the config folder (absolute names are kept).</summary>
    public string Resolve(string relativeOrAbsolute) => System.IO.Path.Combine(Path, relativeOrAbsolute);
}
