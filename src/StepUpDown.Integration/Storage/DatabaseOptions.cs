using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// Where the worker keeps its state. With no <c>ConnectionStrings:StepUpDown</c>, it runs a
/// private PostgreSQL cluster (section <c>Database:Embedded</c>).
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Database";

    /// <summary>The connection string's name under <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "StepUpDown";

    /// <summary>The private cluster used when no connection string is set.</summary>
    public EmbeddedPostgresOptions Embedded { get; set; } = new();
}

/// <summary>The private PostgreSQL cluster the worker starts when no server is configured.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Folder of the cluster's data; created on first run, reused after. Relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data/postgres";

    /// <summary>Folder holding initdb and pg_ctl; found automatically when empty.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>PostgreSQL refuses to run as root: when the worker is root, the cluster runs as this user.</summary>
    [Required]
    public string OsUser { get; set; } = "postgres";

    /// <summary>How long to wait for the cluster to start.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
