using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace StepUpDown.Worker.Dashboard;

/// <summary>The sign-in form: account and password, with the antiforgery token.</summary>
internal static class SignInPage
{
    public static string Render(AntiforgeryTokenSet tokens, string? returnUrl, bool failed, bool offerOidc)
    {
        var encode = HtmlEncoder.Default;
        return $$"""
            <!DOCTYPE html>
            <html lang="en-GB">
            <head><meta charset="utf-8"><title>Sign in: Step Up / Step Down</title>
            <style>body{font-family:Arial,sans-serif;max-width:26em;margin:4em auto}label,input,button{display:block;width:100%;margin:.3em 0}input{padding:.4em}button{padding:.5em}</style></head>
            <body>
            <h1>Step Up / Step Down</h1>
            <p>The jobs dashboard shows children's case activity. Sign in with your ops account.</p>
            {{(failed ? "<p role=\"alert\"><strong>That account name or password is not right.</strong></p>" : "")}}
            <form method="post" action="/signin">
              <input type="hidden" name="{{encode.Encode(tokens.FormFieldName)}}" value="{{encode.Encode(tokens.RequestToken ?? "")}}">
              <input type="hidden" name="returnUrl" value="{{encode.Encode(returnUrl ?? "")}}">
              <label for="account">Account</label><input id="account" name="account" autocomplete="username" required>
              <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">Sign in</button>
            </form>
            {{(offerOidc ? $"<p><a href=\"/signin/oidc?returnUrl={encode.Encode(Uri.EscapeDataString(returnUrl ?? ""))}\">Sign in with the council's account</a></p>" : "")}}
            </body>
            </html>
            """;
    }

    /// <summary>The sign-out form: one button, posting the antiforgery token.</summary>
    public static string RenderSignOut(AntiforgeryTokenSet tokens)
    {
        var encode = HtmlEncoder.Default;
        return $$"""
            <!DOCTYPE html>
            <html lang="en-GB">
            <head><meta charset="utf-8"><title>Sign out: Step Up / Step Down</title>
            <style>body{font-family:Arial,sans-serif;max-width:26em;margin:4em auto}button{display:block;width:100%;padding:.5em}</style></head>
            <body>
            <h1>Step Up / Step Down</h1>
            <form method="post" action="/signout">
              <input type="hidden" name="{{encode.Encode(tokens.FormFieldName)}}" value="{{encode.Encode(tokens.RequestToken ?? "")}}">
              <button type="submit">Sign out of the jobs dashboard</button>
            </form>
            </body>
            </html>
            """;
    }
}
