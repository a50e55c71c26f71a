using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Notifications;

/// <summary>A step to store, with the record that showed it and, for handover messages, what they say beyond it.</summary>
/// <param name="Source">The record's source.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Step">The step.</param>
/// <param name="RecordJson">The record the notices are written from.</param>
/// <param name="DetailsJson">Handover messages: stage, missing items, working days.</param>
/// <param name="HandoverId">The handover the step's notices belong to (the one it opened, or the one it is about): their mail is threaded under it.</param>
public sealed record StepToStore(string Source, string ChildId, DetectedStep Step, string RecordJson, string? DetailsJson = null, Guid? HandoverId = null);
