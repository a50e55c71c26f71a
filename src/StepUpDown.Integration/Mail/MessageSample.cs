namespace StepUpDown.Integration.Mail;

/// <summary>A message the worker can send, over a fictional child: what start-up renders and the preview writes.</summary>
/// <param name="Name">The file name of its preview: the template, and the step it is sent for.</param>
/// <param name="Template">The message kind (its template files' first name).</param>
/// <param name="Model">What the template sees.</param>
public sealed record MessageSample(string Name, string Template, object Model);
