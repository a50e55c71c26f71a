namespace StepUpDown.Domain.Records;

/// <summary>The NHS number check: ten digits whose last is the Modulus 11 check digit of the first nine.</summary>
public static class NhsNumber
{
    /// <summary>True when <paramref name="value"/> is ten digits (no spaces) with a valid check digit.</summary>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length != 10 || !value.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (value[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        if (check == 11)
        {
            check = 0;
        }

        return check != 10 && check == value[9] - '0';
    }

    /// <summary>
    /// True when <paramref name="value"/> passes the check and can name one child: ten identical
    /// digits (<c>0000000000</c> passes Modulus 11) are a placeholder, which identifies nobody.
    /// </summary>
    public static bool IdentifiesAChild(string? value) =>
        value is not null && IsValid(value) && value.AsSpan().ContainsAnyExcept(value[0]);
}
