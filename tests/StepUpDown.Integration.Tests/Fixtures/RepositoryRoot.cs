namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>The repository's root folder (the one that holds the solution), found above the test's own.</summary>
public static class RepositoryRoot
{
    /// <summary>Its full path.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "StepUpDown.Integration.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above the test's folder.");
    }
}
