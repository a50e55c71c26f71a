using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Mail;

/// <summary>The responsible council, as every notification names it (section <c>Council</c>).</summary>
public sealed class CouncilOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Council";

    /// <summary>The council's name.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Children's services number in office hours.</summary>
    [Required]
    public string OfficeHoursPhone { get; set; } = "";

    /// <summary>Emergency duty team, out of hours.</summary>
    [Required]
    public string OutOfHoursPhone { get; set; } = "";
}
