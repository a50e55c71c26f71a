using System.Text.Json;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// A page of the case feed as it arrived: each item's bytes, not yet decoded, and the page's
/// cursor. The page is split into items without decoding one string, so that whatever an item
/// holds (bytes that are not UTF-8, a raw NUL, a byte order mark) is that item's fault alone:
/// each item is decoded, parsed and judged inside its own guard (<see cref="FeedItemParser"/>).
/// </summary>
/// <param name="Items">Each item's bytes, in page order.</param>
/// <param name="NextCursor">Cursor after the last item; null only when nothing has ever changed.</param>
/// <param name="HasMore">True when another page is ready now.</param>
public sealed record RawPage(IReadOnlyList<ReadOnlyMemory<byte>> Items, string? NextCursor, bool HasMore)
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Splits a page's body (<c>{"items":[...],"nextCursor":...,"hasMore":...}</c>) into its items'
    /// bytes. Within an item only quotes, backslashes and brackets are looked at.
    /// </summary>
    /// <exception cref="MalformedPageException">The body is not a page (cut short, not an object, no items array): no item can be told from the next.</exception>
    public static RawPage Split(ReadOnlyMemory<byte> body)
    {
        var items = new List<ReadOnlyMemory<byte>>();
        string? nextCursor = null;
        var hasMore = false;
        var sawItems = false;
        new Scanner(body).Members((name, scanner) =>
        {
            switch (name)
            {
                case "items":
                    items.AddRange(scanner.ArrayItems());
                    sawItems = true;
                    break;
                case "nextCursor":
                    nextCursor = scanner.Scalar<string?>(name);
                    break;
                case "hasMore":
                    hasMore = scanner.Scalar<bool>(name);
                    break;
                default:
                    scanner.Value();
                    break;
            }
        });
        return sawItems ? new RawPage(items, nextCursor, hasMore) : throw new MalformedPageException("the page has no items array");
    }

    /// <summary>
    /// The bytes of a top-level property of an item that is an object, read as a page is (so found
    /// even when another of its values is not JSON); null when there is none or the item is no object.
    /// </summary>
    public static ReadOnlyMemory<byte>? Property(ReadOnlyMemory<byte> item, string wanted)
    {
        ReadOnlyMemory<byte>? found = null;
        try
        {
            new Scanner(item).Members((name, scanner) =>
            {
                var value = scanner.Value();
                found ??= name == wanted ? value : null;
            });
            return found;
        }
        catch (MalformedPageException)
        {
            return found;
        }
    }

    /// <summary>Reads a page's structure byte by byte: no recursion (an item may nest as deep as it likes), no decoding of strings.</summary>
    private sealed class Scanner(ReadOnlyMemory<byte> body)
    {
        private readonly ReadOnlyMemory<byte> _body = body;
        private int _at;

        private ReadOnlySpan<byte> Bytes => _body.Span;

        /// <summary>Reads the object that starts here to its end, handing each member's name to <paramref name="readValue"/>, which reads its value.</summary>
        public void Members(Action<string, Scanner> readValue)
        {
            Expect((byte)'{');
            if (!TryTake((byte)'}'))
            {
                do
                {
                    var name = Name();
                    Expect((byte)':');
                    readValue(name, this);
                }
                while (TryTake((byte)','));

                Expect((byte)'}');
            }

            ExpectEnd();
        }

        public void Expect(byte token)
        {
            if (!TryTake(token))
            {
                throw Malformed($"'{(char)token}' expected");
            }
        }

        public bool TryTake(byte token)
        {
            SkipSpace();
            if (_at < Bytes.Length && Bytes[_at] == token)
            {
                _at++;
                return true;
            }

            return false;
        }

        private bool TryTakeNull()
        {
            SkipSpace();
            if (Bytes[_at..].StartsWith("null"u8))
            {
                _at += 4;
                return true;
            }

            return false;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at != Bytes.Length)
            {
                throw Malformed("nothing expected after the page");
            }
        }

        /// <summary>A property name of the page itself, decoded strictly (the page's own names are the contract's).</summary>
        public string Name()
        {
            var value = Value();
            try
            {
                return JsonSerializer.Deserialize<string>(value.Span) ?? throw Malformed("a property name expected");
            }
            catch (JsonException)
            {
                throw Malformed("a property name expected");
            }
        }

        /// <summary>The page's own <c>nextCursor</c> or <c>hasMore</c>, read strictly.</summary>
        public T Scalar<T>(string name)
        {
            var value = Value();
            try
            {
                return JsonSerializer.Deserialize<T>(value.Span)!;
            }
            catch (JsonException)
            {
                throw Malformed($"'{name}' is not a {typeof(T).Name.TrimEnd('`', '1')}");
            }
        }

        /// <summary>Each value of the array that starts here, as bytes; none for a <c>null</c>.</summary>
        public List<ReadOnlyMemory<byte>> ArrayItems()
        {
            var items = new List<ReadOnlyMemory<byte>>();
            if (TryTakeNull())
            {
                return items;
            }

            Expect((byte)'[');
            if (TryTake((byte)']'))
            {
                return items;
            }

            do
            {
                items.Add(Value());
            }
            while (TryTake((byte)','));

            Expect((byte)']');
            return items;
        }

        /// <summary>The bytes of the value that starts here: a string, an object or array (brackets counted outside strings), or anything else up to the next delimiter.</summary>
        public ReadOnlyMemory<byte> Value()
        {
            SkipSpace();
            var start = _at;
            var bytes = Bytes;
            if (_at < bytes.Length && bytes[_at] == (byte)'"')
            {
                SkipString();
            }
            else if (_at < bytes.Length && bytes[_at] is (byte)'{' or (byte)'[')
            {
                var depth = 0;
                do
                {
                    switch (bytes[_at])
                    {
                        case (byte)'"':
                            SkipString();
                            continue;
                        case (byte)'{' or (byte)'[':
                            depth++;
                            break;
                        case (byte)'}' or (byte)']':
                            depth--;
                            break;
                    }

                    _at++;
                }
                while (depth > 0 && _at < bytes.Length);

                if (depth > 0)
                {
                    throw Malformed("cut short inside an item");
                }
            }
            else
            {
                while (_at < bytes.Length && bytes[_at] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    _at++;
                }
            }

            return _at > start ? _body[start.._at] : throw Malformed("a value expected");
        }

        /// <summary>From an opening quote to just past its closing one; a backslash always escapes the byte after it.</summary>
        private void SkipString()
        {
            var bytes = Bytes;
            for (_at++; _at < bytes.Length; _at++)
            {
                if (bytes[_at] == (byte)'\\')
                {
                    _at++;
                }
                else if (bytes[_at] == (byte)'"')
                {
                    _at++;
                    return;
                }
            }

            throw Malformed("cut short inside a string");
        }

        /// <summary>JSON's whitespace, and a byte order mark wherever one lands between values (a page or an item glued together by a tool that writes one).</summary>
        private void SkipSpace()
        {
            var bytes = Bytes;
            while (_at < bytes.Length)
            {
                if (bytes[_at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    _at++;
                }
                else if (bytes[_at..].StartsWith(ByteOrderMark))
                {
                    _at += ByteOrderMark.Length;
                }
                else
                {
                    return;
                }
            }
        }

        private MalformedPageException Malformed(string what) => new($"{what} at byte {_at}");
    }
}

/// <summary>A body that is not a case feed page: no item can be told from the next, so none is read and the cursor stays. Carries no record data.</summary>
public sealed class MalformedPageException : Exception
{
    /// <summary>Creates the exception with what was wrong and where (a byte offset, never the bytes).</summary>
    public MalformedPageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MalformedPageException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MalformedPageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
