using System.Text;
using System.Text.Json;
using CsCheck;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// One record, whatever bytes it holds, never stops its case system (design: Guarantees): a page
/// is split into items before any string is decoded, so bytes that are not UTF-8 (a name kept in
/// Windows-1252 by an older case system), a raw NUL or a byte order mark are one item's fault.
/// </summary>
public sealed class LegacyBytesTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private Task<string?> CursorAsync() =>
        Worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors WHERE source = @source", new { source = WorkerHarness.Source });

    private Task<long?> StoredVersionAsync(string childId) =>
        Worker.QueryScalarAsync<long?>("SELECT version FROM stepupdown.child_records WHERE child_id = @childId", new { childId });

    /// <summary>A page as bytes, declared UTF-8 as a case system would declare it whatever it holds.</summary>
    private void ServeBytes(string? since, string nextCursor, IEnumerable<byte[]> items, bool byteOrderMark = false)
    {
        var page = new List<byte>();
        if (byteOrderMark)
        {
            page.AddRange(Encoding.UTF8.GetPreamble());
        }

        page.AddRange("{\"items\":["u8.ToArray());
        page.AddRange(items.SelectMany((item, i) => i == 0 ? item : [(byte)',', .. item]));
        page.AddRange(Encoding.UTF8.GetBytes($"],\"nextCursor\":\"{nextCursor}\",\"hasMore\":false}}"));
        Feed.Serve(since, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8").WithBody(page.ToArray()));
    }

    private static byte[] Bytes(object record) => JsonSerializer.SerializeToUtf8Bytes(record);

    [Fact]
    public async Task ANameInWindows1252_IsQuarantinedAsNotUtf8_AndTheRestOfThePageIsDetected()
    {
        Feed.ServePage(null, "c0", Children.Record("SC-1", "EH", 1), Children.Record("SC-3", "EH", 1, nhsNumber: Children.NhsNumberFor(3)));
        await Worker.PollAsync();
        // "Zoë" as an older case system stores it: 0xEB, not UTF-8's C3 AB.
        var legacy = Bytes(Children.Record("SC-2", "CIN", 1, given: "Zo#", nhsNumber: Children.NhsNumberFor(2)));
        var at = Array.IndexOf(legacy, (byte)'#');
        legacy[at] = 0xEB;
        ServeBytes("c0", "c1", [Bytes(Children.Record("SC-1", "CP", 2)), legacy, Bytes(Children.Record("SC-3", "CP", 2, nhsNumber: Children.NhsNumberFor(3)))]);

        var result = await Worker.PollAsync();

        (await CursorAsync()).ShouldBe("c1");
        result.Quarantined.ShouldBe(1);
        var (childId, reason, payload) = (await Worker.QueryAsync<(string? ChildId, string Reason, string Payload)>(
            "SELECT child_id, reason, payload FROM stepupdown.quarantined_records")).Single();
        childId.ShouldBe("SC-2");
        reason.ShouldBe($"not UTF-8 at byte {at}");
        payload.ShouldContain("Zo\uFFFD", Case.Sensitive, "a person can still read the record it was meant to be");
        (await Worker.QueryAsync<string>("SELECT child_id FROM stepupdown.steps WHERE kind = 'StepUp' ORDER BY child_id")).ShouldBe(["SC-1", "SC-3"]);
    }

    [Fact]
    public async Task ARawNulAndAByteOrderMark_AreOneItemsFault_NotThePages()
    {
        var nul = Bytes(Children.Record("SC-2", "EH", 1, family: "Love#lace", nhsNumber: Children.NhsNumberFor(2)));
        nul[Array.IndexOf(nul, (byte)'#')] = 0x00;
        ServeBytes(null, "c0", [[.. Encoding.UTF8.GetPreamble(), .. Bytes(Children.Record("SC-1", "EH", 1))], nul], byteOrderMark: true);

        var result = await Worker.PollAsync();

        (await CursorAsync()).ShouldBe("c0");
        result.Quarantined.ShouldBe(1);
        (await StoredVersionAsync("SC-1")).ShouldBe(1, "a byte order mark before a page or an item is read past");
        (await Worker.QueryScalarAsync<string>("SELECT reason FROM stepupdown.quarantined_records WHERE child_id = 'SC-2'"))
            .ShouldStartWith("not valid JSON at byte ");
    }

    [Fact]
    public async Task APageCutShort_IsNotRead_AndItsCursorStays()
    {
        Feed.ServePage(null, "c0", Children.Record("SC-1", "EH", 1));
        await Worker.PollAsync();
        var whole = Encoding.UTF8.GetBytes($$"""{"items":[{{JsonSerializer.Serialize(Children.Record("SC-1", "CP", 2))}}],"nextCursor":"c1","hasMore":false}""");
        Feed.Serve("c0", Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(whole[..(whole.Length / 2)]));

        var failure = await Should.ThrowAsync<StepUpDown.Integration.CaseFeeds.CaseFeedUnavailableException>(() => Worker.PollAsync());

        failure.Message.ShouldContain("not a page");
        failure.Message.ShouldNotContain("Ada", Case.Insensitive, "a byte offset, never the bytes");
        (await CursorAsync()).ShouldBe("c0");
        (await StoredVersionAsync("SC-1")).ShouldBe(1);
    }

    /// <summary>
    /// Property: mutate the raw bytes of some items of a page (bytes that are not UTF-8, overlong
    /// forms, encoded surrogates, a raw NUL, byte order marks, any byte inside a string, an item cut
    /// short and closed) and serve them between untouched ones: the page commits, every untouched
    /// item is stored and its step detected, and every mutated one is stored or quarantined, never lost.
    /// </summary>
    [Fact]
    public async Task AnyMutationOfAnItemsBytes_NeverStopsThePage_NorLosesAnUntouchedItem()
    {
        Feed.ServePage(null, "c0", Children.Record("G-0", "EH", 1, nhsNumber: Children.NhsNumberFor(100)), Children.Record("G-1", "EH", 1, nhsNumber: Children.NhsNumberFor(101)));
        await Worker.PollAsync();
        var page = 0;
        await Gen.Select(ByteMutation.Gen.Array[1, 3], Gen.Bool).SampleAsync(
            async (mutations, byteOrderMark) =>
            {
                page++;
                var mutated = mutations.Select((m, i) => m.Apply(Bytes(Children.Record($"M-{page}-{i}", "CIN", 1, nhsNumber: null)))).ToList();
                var quarantinedBefore = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records");
                ServeBytes(
                    page == 1 ? "c0" : $"p{page - 1}",
                    $"p{page}",
                    [Untouched("G-0", 100, page), .. mutated, Untouched("G-1", 101, page)],
                    byteOrderMark);

                var result = await Worker.PollAsync();

                (await CursorAsync()).ShouldBe($"p{page}");
                foreach (var untouched in UntouchedIds)
                {
                    (await StoredVersionAsync(untouched)).ShouldBe(page + 1);
                    (await Worker.QueryScalarAsync<long>(
                        "SELECT count(*) FROM stepupdown.steps WHERE child_id = @untouched AND kind = 'StepIn' AND to_version = @v",
                        new { untouched, v = page + 1 })).ShouldBe(1);
                }

                var quarantined = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records") - quarantinedBefore;
                result.Quarantined.ShouldBe((int)quarantined);
                var stored = 0;
                for (var i = 0; i < mutated.Count; i++)
                {
                    stored += await StoredVersionAsync($"M-{page}-{i}") is not null ? 1 : 0;
                }

                quarantined.ShouldBe(mutated.Count - stored, "each mutated item is stored or quarantined, none lost");
            },
            iter: 40,
            threads: 1,
            print: sample => $"{string.Join("; ", sample.Item1.Select(m => m.ToString()))}; page BOM {sample.Item2}");
    }

    private static readonly string[] UntouchedIds = ["G-0", "G-1"];

    /// <summary>A record of the child at the page's version, joining a service of its own (a step in to detect).</summary>
    private static byte[] Untouched(string childId, int seed, int page)
    {
        var record = Children.Record(childId, "EH", page + 1, nhsNumber: Children.NhsNumberFor(seed));
        record["services"] = new[] { new { serviceId = $"S-{page}", name = "School nurse", agency = "HEALTH", joinedOn = "2026-11-01" } };
        return Bytes(record);
    }

    /// <summary>One change to an item's bytes, at a point found by scanning it (never inside its <c>childId</c>, so what is stored is found by it).</summary>
    private sealed record ByteMutation(int Kind, int Point, byte Byte)
    {
        public static readonly Gen<ByteMutation> Gen =
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, 7], CsCheck.Gen.Int[0, 10_000], CsCheck.Gen.Byte, (kind, point, value) => new ByteMutation(kind, point, value));

        private static readonly byte[][] Overlong = [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF], [0xC1, 0xBF]];

        public byte[] Apply(byte[] item)
        {
            var (inString, between) = Points(item);
            var inside = inString[Point % inString.Count];
            var anywhere = (Point % 2 == 0 ? inString : between)[Point % (Point % 2 == 0 ? inString : between).Count];
            return Kind switch
            {
                0 => Insert(item, inside, [(byte)(0x80 | Byte)]),                       // a byte that begins no UTF-8 sequence here (Windows-1252's é is 0xE9)
                1 => Insert(item, inside, Overlong[Byte % Overlong.Length]),            // an overlong form
                2 => Insert(item, inside, Byte % 2 == 0 ? [0xED, 0xA0, 0x80] : "\\udc00"u8.ToArray()), // a lone surrogate, encoded or escaped
                3 => Insert(item, anywhere, [0x00]),                                    // a raw NUL
                4 => Insert(item, Byte % 3 == 0 ? 0 : anywhere, [0xEF, 0xBB, 0xBF]),   // a byte order mark
                5 => CutShort(item, anywhere),
                6 => Insert(item, inside, [Byte is (byte)'"' or (byte)'\\' ? (byte)'?' : Byte]), // any byte inside a string
                _ => Insert(item, inside, "é€😀"u8.ToArray()),                          // valid UTF-8 beyond ASCII
            };
        }

        public override string ToString() => $"kind {Kind} point {Point} byte {Byte:X2}";

        private static byte[] Insert(byte[] item, int at, byte[] bytes) => [.. item[..at], .. bytes, .. item[at..]];

        /// <summary>The item up to <paramref name="at"/>, its open string and brackets closed: a record cut short that is still a value.</summary>
        private static byte[] CutShort(byte[] item, int at)
        {
            var open = new Stack<byte>();
            var inString = false;
            for (var i = 0; i < at; i++)
            {
                var b = item[i];
                if (inString)
                {
                    i += b == (byte)'\\' ? 1 : 0;
                    inString = b != (byte)'"';
                }
                else if (b == (byte)'"')
                {
                    inString = true;
                }
                else if (b is (byte)'{' or (byte)'[')
                {
                    open.Push(b == (byte)'{' ? (byte)'}' : (byte)']');
                }
                else if (b is (byte)'}' or (byte)']')
                {
                    open.Pop();
                }
            }

            var cut = new List<byte>(item[..at]);
            if (inString)
            {
                cut.Add((byte)'"');
            }
            else if (cut.Count > 0 && cut[^1] == (byte)':')
            {
                cut.AddRange("null"u8.ToArray());
            }
            else if (cut.Count > 0 && cut[^1] == (byte)',')
            {
                cut.RemoveAt(cut.Count - 1);
            }

            cut.AddRange(open);
            return [.. cut];
        }

        /// <summary>
        /// Points just after a string's opening quote or just before its closing one (inserting
        /// there never splits an escape), and points just after a structural byte; none inside the
        /// <c>childId</c>'s value.
        /// </summary>
        private static (List<int> InString, List<int> Between) Points(byte[] item)
        {
            var childIdValue = item.AsSpan().IndexOf("\"childId\":\""u8) + "\"childId\":\""u8.Length;
            var inString = new List<int>();
            var between = new List<int>();
            var stringStart = -1;
            for (var i = 0; i < item.Length; i++)
            {
                var b = item[i];
                if (stringStart >= 0)
                {
                    if (b == (byte)'\\')
                    {
                        i++;
                    }
                    else if (b == (byte)'"')
                    {
                        if (stringStart != childIdValue)
                        {
                            inString.Add(stringStart);
                            inString.Add(i);
                        }

                        stringStart = -1;
                    }
                }
                else if (b == (byte)'"')
                {
                    stringStart = i + 1;
                }
                else if (b is (byte)'{' or (byte)'[' or (byte)',' or (byte)':')
                {
                    between.Add(i + 1);
                }
            }

            return (inString, between);
        }
    }
}
