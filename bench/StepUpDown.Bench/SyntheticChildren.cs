using System.Buffers;
using System.Text.Json;

namespace StepUpDown.Bench;

/// <summary>
/// A deterministic stream of fictional change events: first <c>children</c> records at version 1
/// (the baseline), then <c>changes</c> records at version 2 for distinct children, each one level
/// up or down (so each produces a step). With <paramref name="poison"/> one change in a hundred is
/// a record the worker must set aside: <see cref="Poison.Caught"/> a NUL character in the name
/// (what a case system once sent; refused before storage), <see cref="Poison.Refused"/> a name
/// that only the database refuses (a rule the benchmark adds), so its page is written again record by record.
/// </summary>
internal sealed class SyntheticChildren(int children, int changes, Poison poison = Poison.None)
{
    private static readonly string[] Codes = ["EH", "CIN", "CP", "LAC"];

    public int Children => children;

    public int Total => children + changes;

    /// <summary>The given name that the benchmark's database rule refuses (<see cref="Poison.Refused"/>).</summary>
    public const string RefusedPrefix = "Refused";

    public static string ChildId(int child) => $"SC-{child:D7}";

    /// <summary>The child, version and level code of event <paramref name="index"/>.</summary>
    public (int Child, int Version, string Code) Event(int index)
    {
        if (index < children)
        {
            return (index, 1, Codes[index % Codes.Length]);
        }

        var child = (index - children) * (children / Math.Max(1, changes)) % children;
        var baseline = child % Codes.Length;
        var changed = baseline == Codes.Length - 1 ? baseline - 1 : baseline + 1;
        return (child, 2, Codes[changed]);
    }

    /// <summary>True for the changes that carry <see cref="Poison"/>: one in a hundred.</summary>
    public bool IsPoison(int index) => poison != Poison.None && index >= children && (index - children) % 100 == 37;

    /// <summary>For <see cref="Poison.Mutated"/>: which of the odd shapes a poisoned change takes (see <see cref="Poison"/>); -1 for none.</summary>
    private int MutationOf(int index) => poison == Poison.Mutated && IsPoison(index) ? (index - children) / 100 % 6 : -1;

    public void WriteRecord(Utf8JsonWriter json, int index)
    {
        var (child, version, code) = Event(index);
        var mutation = MutationOf(index);
        var given = !IsPoison(index) || poison == Poison.Mutated ? $"Given{child}" : poison == Poison.Caught ? $"Given\u0000{child}" : $"{RefusedPrefix}{child}";
        json.WriteStartObject();
        json.WriteString("childId", ChildId(child));
        json.WriteString("nhsNumber", NhsNumberFor(child));
        json.WriteStartObject("name");
        if (mutation == 4)
        {
            // An escaped lone surrogate: valid JSON, no UTF-8 text can hold it.
            json.WritePropertyName("given");
            json.WriteRawValue("\"\\ud800\"", skipInputValidation: true);
        }
        else
        {
            json.WriteString("given", given);
        }

        json.WriteString("family", $"Family{child % 997}");
        json.WriteEndObject();
        json.WriteString("dateOfBirth", new DateOnly(2010, 1, 1).AddDays(child % 5000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        if (mutation == 0)
        {
            json.WriteNull("levelOfNeed");
        }
        else
        {
            json.WriteString("levelOfNeed", code);
        }

        json.WriteString("status", "open");
        json.WriteStartObject("allocatedTeam");
        json.WriteString("name", $"Team {child % 40}");
        json.WriteString("managerName", $"Manager {child % 40}");
        json.WriteString("managerEmail", $"manager{child % 40}@council.example");
        json.WriteEndObject();
        json.WriteStartObject("leadProfessional");
        json.WriteString("id", $"P{child % 800}");
        if (mutation == 1)
        {
            json.WriteNull("name");
        }
        else
        {
            json.WriteString("name", $"Professional {child % 800}");
        }

        json.WriteString("role", "Social worker");
        json.WriteString("agency", "CSC");
        json.WriteString("email", $"p{child % 800}@council.example");
        json.WriteEndObject();
        if (mutation == 5)
        {
            json.WritePropertyName("plan");
            json.WriteRawValue(new string('[', 40) + new string(']', 40), skipInputValidation: true);
        }
        else
        {
            WritePlan(json, code);
        }

        json.WriteStartArray("services");
        for (var entry = 0; entry < (mutation == 3 ? 2 : 1); entry++)
        {
            // Mutation 3 lists the service twice (left and rejoined): valid, and detected as one.
            json.WriteStartObject();
            if (mutation == 2)
            {
                json.WriteNull("serviceId");
            }
            else
            {
                json.WriteString("serviceId", "SCH");
            }

            json.WriteString("name", "School nursing");
            json.WriteString("joinedOn", "2026-06-01");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("gpPractice");
        json.WriteString("odsCode", "Y00001");
        json.WriteString("name", "Riverside Medical Practice (fictional)");
        json.WriteEndObject();
        json.WriteString("updatedAt", "2026-11-20T09:00:00Z");
        json.WriteNumber("version", version);
        json.WriteEndObject();
    }

    private static void WritePlan(Utf8JsonWriter json, string code)
    {
        json.WriteStartObject("plan");
        json.WriteString("type", code.ToLowerInvariant() switch { "eh" => "eha", "lac" => "lac", var c => c });
        json.WriteString("startedOn", "2026-06-01");
        json.WriteString("reviewDueOn", "2026-12-01");
        json.WriteString("summary", "Weekly visits by the lead professional; school attendance support; parenting programme.");
        json.WriteStartArray("outcomes");
        json.WriteStartObject();
        json.WriteString("description", "Attends school every day");
        json.WriteString("owner", "School");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public string RecordJson(int index)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteRecord(json, index);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A valid NHS number per child (Modulus 11), distinct for each.</summary>
    public static string NhsNumberFor(int child)
    {
        for (long candidate = 400_000_000L + (child * 11L); ; candidate++)
        {
            var digits = candidate.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var sum = 0;
            for (var i = 0; i < 9; i++)
            {
                sum += (digits[i] - '0') * (10 - i);
            }

            var check = (11 - (sum % 11)) % 11;
            if (check != 10)
            {
                return digits + check.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
}

/// <summary>Which poison records the synthetic feed mixes in.</summary>
internal enum Poison
{
    /// <summary>None.</summary>
    None,

    /// <summary>A NUL character in the name: refused before storage.</summary>
    Caught,

    /// <summary>A name only the database refuses.</summary>
    Refused,

    /// <summary>
    /// The odd shapes of issue 19, in turn: a null <c>levelOfNeed</c>, a lead professional with a
    /// null name, a null <c>serviceId</c>, a service listed twice (valid: detected), an escaped
    /// lone surrogate in the name, a plan nested 40 deep.
    /// </summary>
    Mutated,
}
