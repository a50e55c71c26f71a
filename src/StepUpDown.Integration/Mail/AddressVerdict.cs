namespace StepUpDown.Integration.Mail;

/// <summary>Whether child data may be mailed to an address.</summary>
public enum AddressVerdict
{
    /// <summary>One valid address on an allowed domain.</summary>
    Allowed,

    /// <summary>Not one valid address (or blanks around it: it would parse, then fail when the message is built).</summary>
    NotAnAddress,

    /// <summary>A valid address whose domain is not on the list.</summary>
    NotAllowed,
}
