using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Fluid;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Mail;

/// <summary>A message rendered from its templates.</summary>
/// <param name="Subject">One line.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="Html">The HTML part.</param>
public sealed record RenderedMessage(string Subject, string Text, string Html);
