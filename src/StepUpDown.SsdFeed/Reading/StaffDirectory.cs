using System.Text;

namespace StepUpDown.SsdFeed.Reading;

/// <summary>One member of staff in the council's directory export.</summary>
public sealed record StaffEntry(string StaffId, string? Name, string? Email, string? Phone, string? Team, string? ManagerName, string? ManagerEmail);

/// <summary>
/// The council's staff directory (<c>SsdFeed:Directory:File</c>): the contacts the SSD does not
/// hold, keyed by staff id (<c>prof_staff_id</c>, or <c>prof_professional_id</c> where a council
/// keys it so). A CSV with a header row naming the columns <c>staff_id, name, email, phone, team,
/// manager_name, manager_email</c> in any order.
/// </summary>
public sealed class StaffDirectory
{
    private static readonly string[] Columns = ["staff_id", "name", "email", "phone", "team", "manager_name", "manager_email"];
    private readonly Dictionary<string, StaffEntry> _byId;
    private readonly Dictionary<string, StaffEntry> _managerByTeam;

    private StaffDirectory(IEnumerable<StaffEntry> entries)
    {
        _byId = new(StringComparer.OrdinalIgnoreCase);
        _managerByTeam = new(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            _byId.TryAdd(entry.StaffId, entry);
            if (entry.Team is { Length: > 0 } team && entry.ManagerEmail is { Length: > 0 })
            {
                _managerByTeam.TryAdd(team, entry);
            }
        }
    }

    /// <summary>A directory with nobody in it.</summary>
    public static StaffDirectory Empty { get; } = new([]);

    /// <summary>The entries, as given.</summary>
    public static StaffDirectory Of(IEnumerable<StaffEntry> entries) => new(entries);

    /// <summary>Reads the CSV at <paramref name="path"/>; the error names the line and the column that is wrong.</summary>
    /// <exception cref="InvalidDataException">The header lacks <c>staff_id</c>, or a line cannot be read.</exception>
    public static StaffDirectory Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine() is { } first ? SplitCsv(first) : [];
        var index = Columns.ToDictionary(c => c, c => header.FindIndex(h => string.Equals(h.Trim(), c, StringComparison.OrdinalIgnoreCase)));
        if (index["staff_id"] < 0)
        {
            throw new InvalidDataException($"The staff directory '{Path.GetFileName(path)}' has no staff_id column in its header.");
        }

        var entries = new List<StaffEntry>();
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = SplitCsv(line);
            string? Field(string column) => index[column] is var i and >= 0 && i < fields.Count && fields[i].Trim() is { Length: > 0 } value ? value : null;
            var staffId = Field("staff_id") ?? throw new InvalidDataException($"The staff directory's line {number} has no staff_id.");
            entries.Add(new StaffEntry(staffId, Field("name"), Field("email"), Field("phone"), Field("team"), Field("manager_name"), Field("manager_email")));
        }

        return new StaffDirectory(entries);
    }

    /// <summary>The entry for a staff or professional id, if the directory has it.</summary>
    public StaffEntry? Find(string? id) => id is not null && _byId.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>Someone in <paramref name="team"/> whose entry names the team's manager.</summary>
    public StaffEntry? ManagerOf(string? team) => team is not null && _managerByTeam.TryGetValue(team, out var entry) ? entry : null;

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
