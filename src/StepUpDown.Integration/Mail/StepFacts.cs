using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Mail;

/// <summary>The stored facts of a step that a notice needs.</summary>
public sealed record StepFacts(StepKind Kind, Level From, Level To, StepMarkers Markers, string? Subject, string Source = "");
