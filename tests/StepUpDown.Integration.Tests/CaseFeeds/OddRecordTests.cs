using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// One record, whatever it holds, never stops its case system (design: Guarantees): it is
/// quarantined with its reason, and the rest of its page, and the cursor, go on.
/// </summary>
public sealed class OddRecordTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private Task<string?> CursorAsync() =>
        Worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors WHERE source = @source", new { source = WorkerHarness.Source });

    private Task<long?> StoredVersionAsync(string childId) =>
        Worker.QueryScalarAsync<long?>("SELECT version FROM stepupdown.child_records WHERE child_id = @childId", new { childId });

    private async Task AdoptAsync(params object[] baseline)
    {
        Feed.ServePage(null, "c0", baseline);
        await Worker.PollAsync();
    }

    /// <summary>A page as its JSON text, so that any item (a lone surrogate, a depth past every limit) is served as written.</summary>
    private void ServeRaw(string since, string nextCursor, IEnumerable<string> items) =>
        Feed.Serve(since, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody($$"""{"items":[{{string.Join(",", items)}}],"nextCursor":"{{nextCursor}}","hasMore":false}"""));

    private static string Json(object record) => JsonSerializer.Serialize(record);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public async Task APageOfOddRecords_CommitsWithEachSetAside_AndTheGoodOnesDetected()
    {
        await AdoptAsync(Children.Record("SC-1", "EH", 1), Children.Record("SC-9", "EH", 1, nhsNumber: Children.NhsNumberFor(9)));
        var nullLevel = Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2));
        nullLevel["levelOfNeed"] = null;
        var nullLeadName = Children.Record("SC-3", "EH", 1, nhsNumber: Children.NhsNumberFor(3));
        nullLeadName["leadProfessional"] = new { name = (string?)null, email = "someone@council.example" };
        var nullServiceId = Children.Record("SC-4", "EH", 1, nhsNumber: Children.NhsNumberFor(4));
        nullServiceId["services"] = new[] { new { serviceId = (string?)null, name = "School nurse", joinedOn = "2026-11-01" } };
        var longId = new string('x', 3000);
        var deep = Children.Record("SC-6", "EH", 1, nhsNumber: Children.NhsNumberFor(6));
        deep["plan"] = "DEEP";
        ServeRaw("c0", "c1",
        [
            Json(Children.Record("SC-1", "CP", 2)),
            Json(nullLevel),
            Json(nullLeadName),
            Json(nullServiceId),
            $$"""{"childId":"{{longId}}","dateOfBirth":"not a date"}""",
            Json(deep).Replace("\"DEEP\"", Nested(2000), StringComparison.Ordinal),
            Json(Children.Record("SC-9", "CP", 2, nhsNumber: Children.NhsNumberFor(9))),
        ]);

        var result = await Worker.PollAsync();

        (await CursorAsync()).ShouldBe("c1");
        result.Quarantined.ShouldBe(5);
        var reasons = await Worker.QueryAsync<(string? ChildId, string Reason)>("SELECT child_id, reason FROM stepupdown.quarantined_records ORDER BY id");
        reasons.ShouldBe(
        [
            ("SC-2", "malformed JSON at $.levelOfNeed"),
            ("SC-3", "malformed JSON at $.leadProfessional.name"),
            ("SC-4", "malformed JSON at $.services[0].serviceId"),
            (null, "malformed JSON at $.dateOfBirth"),
            ("SC-6", "nested deeper than 32 levels"),
        ]);
        (await Worker.QueryAsync<string>("SELECT child_id FROM stepupdown.steps WHERE kind = 'StepUp' ORDER BY child_id")).ShouldBe(["SC-1", "SC-9"]);
    }

    [Fact]
    public async Task AServiceListedTwice_LeftAndRejoined_IsOneServiceWhoseLatestEntryStands()
    {
        var left = new { serviceId = "S-1", name = "School nurse", agency = "HEALTH", joinedOn = "2026-01-05", leftOn = "2026-03-01", leftReason = "completed" };
        var rejoined = new { serviceId = "S-1", name = "School nurse", agency = "HEALTH", joinedOn = "2026-10-01", leftOn = (string?)null, leftReason = (string?)null };
        var first = Children.Record("SC-1", "EH", 1);
        first["services"] = new object[] { left };
        await AdoptAsync(first);
        var twice = Children.Record("SC-1", "EH", 2);
        twice["services"] = new object[] { left, rejoined };
        var unchanged = Children.Record("SC-1", "EH", 3);
        unchanged["services"] = new object[] { rejoined, left };
        Feed.ServePage("c0", "c1", twice);
        Feed.ServePage("c1", "c2", unchanged);

        await Worker.PollAsync();
        await Worker.PollAsync();

        (await CursorAsync()).ShouldBe("c2");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records")).ShouldBe(0);
        (await StoredVersionAsync("SC-1")).ShouldBe(3);
        (await Worker.QueryAsync<(string Kind, long ToVersion)>("SELECT kind, to_version FROM stepupdown.steps ORDER BY to_version"))
            .ShouldBe([("StepIn", 2)], "it rejoined once; listing the entries in another order changes nothing");
    }

    [Fact]
    public async Task AnItemPostgreSqlCannotStore_EvenAsAQuarantineRow_IsSetAsideWithItsReasonOnly()
    {
        await AdoptAsync(Children.Record("SC-1", "EH", 1));
        // An escaped lone surrogate: valid JSON, but no UTF-8 text can hold it.
        var surrogate = Json(Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2))).Replace("Ada", "\\ud800", StringComparison.Ordinal);
        ServeRaw("c0", "c1", [surrogate, Json(Children.Record("SC-1", "CP", 2))]);

        var result = await Worker.PollAsync();

        (await CursorAsync()).ShouldBe("c1");
        result.Quarantined.ShouldBe(1);
        (await StoredVersionAsync("SC-1")).ShouldBe(2);
        (await Worker.QueryScalarAsync<string>("SELECT reason FROM stepupdown.quarantined_records")).ShouldBe("a lone surrogate (invalid Unicode) at $.name.given cannot be stored");
    }

    /// <summary>
    /// Property: mutate valid records at any path (a null, a huge or odd string, a wrong type,
    /// deep nesting, a removed or duplicated part) and serve them among valid ones: every poll
    /// returns, its page commits (the cursor moves), every valid record is stored and its step
    /// detected, and every mutated one is stored or quarantined, never lost.
    /// </summary>
    [Fact]
    public async Task AnyMutationOfAnyField_NeverStopsThePage_NorLosesTheValidRecords()
    {
        await AdoptAsync(Children.Record("G-0", "EH", 1, nhsNumber: Children.NhsNumberFor(100)));
        var page = 0;
        await Mutations.Gen.Array[1, 3].SampleAsync(
            async mutations =>
            {
                page++;
                var valid = Children.Record("G-0", "EH", page + 1, nhsNumber: Children.NhsNumberFor(100));
                valid["services"] = new[] { new { serviceId = $"S-{page}", name = "School nurse", agency = "HEALTH", joinedOn = "2026-11-01" } };
                var mutated = mutations.Select((m, i) => m.Apply(MutableRecord($"M-{page}-{i}"))).ToList();
                var quarantinedBefore = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records");
                ServeRaw(page == 1 ? "c0" : $"p{page - 1}", $"p{page}", mutated.Prepend(Json(valid)));

                var result = await Worker.PollAsync();

                (await CursorAsync()).ShouldBe($"p{page}");
                (await StoredVersionAsync("G-0")).ShouldBe(page + 1);
                (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps WHERE child_id = 'G-0' AND kind = 'StepIn' AND to_version = @v", new { v = page + 1 })).ShouldBe(1);
                var quarantined = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records") - quarantinedBefore;
                result.Quarantined.ShouldBe((int)quarantined);
                var stored = 0;
                foreach (var item in mutated)
                {
                    stored += await IsStoredAsync(item) ? 1 : 0;
                }

                quarantined.ShouldBe(mutated.Count - stored, "each mutated record is stored (at its version or a later one) or quarantined, none lost");
            },
            iter: 40,
            threads: 1,
            print: mutations => string.Join("; ", mutations.Select(m => m.ToString())));
    }

    /// <summary>True when the item's child is stored at the item's version or a later one.</summary>
    private async Task<bool> IsStoredAsync(string item)
    {
        var node = JsonNode.Parse(item, documentOptions: new JsonDocumentOptions { MaxDepth = 200 });
        var childId = node?["childId"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : null;
        var version = node?["version"] is JsonValue v && v.TryGetValue<long>(out var number) ? number : (long?)null;
        return childId is not null && version is not null && await StoredVersionAsync(childId) >= version;
    }

    private static JsonNode MutableRecord(string childId)
    {
        var record = Children.Record(childId, "CIN", 1, nhsNumber: null);
        record["externalIds"] = new[] { new { system = "early-help", id = $"EH-{childId}" } };
        record["services"] = new[] { new { serviceId = "S-1", name = "School nurse", agency = "HEALTH", contactEmail = "nurse@nhs.net", joinedOn = "2026-10-01", leftOn = (string?)null } };
        record["stepDown"] = new
        {
            agreedOn = "2026-11-10",
            forum = "tac-meeting",
            targetLevel = "EH",
            proposedLeadProfessional = new { name = "Alan Turing", email = "alan.turing@council.example", acceptedOn = (string?)null },
            familyConsent = true,
        };
        return JsonNode.Parse(Json(record))!;
    }

    /// <summary>One change to a record at one of its paths.</summary>
    private sealed record Mutations(int Path, int Kind, string Text)
    {
        public static readonly Gen<Mutations> Gen =
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, 1000], CsCheck.Gen.Int[0, 9], CsCheck.Gen.String[CsCheck.Gen.Char, 0, 40], (path, kind, text) => new Mutations(path, kind, text));

        public string Apply(JsonNode record)
        {
            var paths = new List<JsonNode>();
            Collect(record, paths);
            var target = paths[Path % paths.Count];
            var replacement = Kind switch
            {
                0 => null,
                1 => JsonValue.Create(new string(Text.FirstOrDefault('z'), 3000)),
                2 => JsonValue.Create(Text),
                3 => JsonValue.Create(-1e300),
                4 => JsonValue.Create(true),
                5 => new JsonArray(),
                6 => new JsonObject(),
                7 => JsonNode.Parse(Nested(40)),
                _ => target.DeepClone(),
            };
            if (target.Parent is JsonObject parent)
            {
                var name = target.GetPropertyName();
                if (Kind == 8)
                {
                    parent.Remove(name);
                }
                else if (Kind == 9)
                {
                    parent[name] = new JsonArray(replacement, target.DeepClone());
                }
                else
                {
                    parent[name] = replacement;
                }
            }
            else if (target.Parent is JsonArray array)
            {
                if (Kind is 8 or 9)
                {
                    array.Add(replacement);
                }
                else
                {
                    array[target.GetElementIndex()] = replacement;
                }
            }

            // Escaped as .NET's writer escapes: a lone surrogate or a NUL reaches the worker as written.
            return record.ToJsonString();
        }

        public override string ToString() => $"path {Path} kind {Kind} text length {Text.Length}";

        private static void Collect(JsonNode? node, List<JsonNode> paths)
        {
            var children = node switch
            {
                JsonObject o => o.Select(p => p.Value),
                JsonArray a => a.AsEnumerable(),
                _ => [],
            };
            foreach (var child in children.OfType<JsonNode>())
            {
                paths.Add(child);
                Collect(child, paths);
            }
        }
    }
}
