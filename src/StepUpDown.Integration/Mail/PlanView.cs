namespace StepUpDown.Integration.Mail;

/// <summary>The plan at the step.</summary>
public sealed record PlanView(string TypeName, string? StartedOn, string? ReviewDueOn, string? UpdatedOn, string Summary, IReadOnlyList<OutcomeView> Outcomes);
