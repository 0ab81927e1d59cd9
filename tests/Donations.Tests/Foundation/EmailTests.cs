using Donations.Api.Infrastructure.Email;
using Donations.Tests.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Donations.Tests.Foundation;

public sealed class EmailTests
{
    [Fact]
    public async Task Pickup_delivery_writes_one_complete_eml_file_per_message()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var sender = app.Services.GetRequiredService<IEmailSender>();

        await sender.SendAsync(Message("one@example.com", "First"), CancellationToken.None);
        await sender.SendAsync(Message("two@example.com", "Second"), CancellationToken.None);

        var files = Directory.GetFiles(app.OutboxDirectory);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.EndsWith(".eml", f));
        Assert.Equal(["First", "Second"], app.OutboxMessages().Select(m => m.Subject).Order());
    }

    [Fact]
    public async Task Smtp_delivery_holds_a_real_conversation_and_one_session_carries_a_batch()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var sender = app.Services.GetRequiredService<IEmailSender>();

        await using (var session = await sender.OpenSessionAsync(CancellationToken.None))
            for (var i = 0; i < 3; i++)
                await session.SendAsync(Message($"reader{i}@example.com", $"Message {i}"), CancellationToken.None);

        Assert.Equal(3, app.Smtp!.Messages.Count);
        Assert.Equal(1, app.Smtp.Sessions);
        Assert.Contains(app.Smtp.Messages, m => m.To.Mailboxes.Single().Address == "reader2@example.com");
    }

    [Fact]
    public async Task Against_a_generous_SIZE_limit_no_message_is_announced_with_its_size_which_MailKit_would_count_by_writing_it_out()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        // The sink offers SIZE, as Postfix and the hosted relays do; MailKit then counts every
        // message's bytes by writing it out once before sending it.
        using (var probe = new SmtpClient())
        {
            await probe.ConnectAsync("127.0.0.1", app.Smtp!.Port, MailKit.Security.SecureSocketOptions.None);
            Assert.True(probe.Capabilities.HasFlag(SmtpCapabilities.Size));
            await probe.DisconnectAsync(true);
        }
        var sender = app.Services.GetRequiredService<IEmailSender>();

        await using (var session = await sender.OpenSessionAsync(CancellationToken.None))
            for (var i = 0; i < 2; i++)
                await session.SendAsync(Message($"reader{i}@example.com", $"Message {i}"), CancellationToken.None);

        Assert.Equal(2, app.Smtp.Messages.Count);
        Assert.Equal(0, app.Smtp.MessagesDeclaringSize);
    }

    [Fact]
    public async Task Under_a_tight_SIZE_limit_messages_declare_their_size_and_an_oversized_one_is_refused_before_its_data()
    {
        // A server that drops the connection on too much data would make an oversized message
        // read as an outage; declared, the server refuses it at MAIL FROM and the rest go on.
        await using var sink = await SmtpSink.StartAsync(sizeLimit: 64_000, sizeHandling: SmtpServer.MaxMessageSizeHandling.Strict);
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.Smtp = sink; o.HangfireServer = false; });
        var sender = app.Services.GetRequiredService<IEmailSender>();
        var oversized = Message("big@example.com", "Too big");
        oversized.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("Thank you for your gift.\n", 4000)) };

        await using (var session = await sender.OpenSessionAsync(CancellationToken.None))
        {
            await session.SendAsync(Message("reader@example.com", "Fits"), CancellationToken.None);
            var refused = await Assert.ThrowsAsync<EmailRejectedException>(() => session.SendAsync(oversized, CancellationToken.None));
            Assert.Contains("552", refused.Message);
            await session.SendAsync(Message("after@example.com", "Fits too"), CancellationToken.None);
        }

        Assert.Equal(["Fits", "Fits too"], sink.Messages.Select(m => m.Subject));
        Assert.Equal(2, sink.MessagesDeclaringSize);
        Assert.Equal(1, sink.Sessions);
    }

    [Fact]
    public async Task Smtp_permanent_rejection_is_reported_as_such()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        app.Smtp!.Reject("gone@example.com");
        var sender = app.Services.GetRequiredService<IEmailSender>();

        await Assert.ThrowsAsync<EmailRejectedException>(() =>
            sender.SendAsync(Message("gone@example.com", "Hello"), CancellationToken.None));
    }

    [Fact]
    public async Task A_recipient_refused_at_RCPT_TO_is_a_permanent_refusal_too_without_the_address_in_it()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        app.Smtp!.RejectAtRecipient("gone@example.com");
        var sender = app.Services.GetRequiredService<IEmailSender>();

        var error = await Assert.ThrowsAsync<EmailRejectedException>(() =>
            sender.SendAsync(Message("gone@example.com", "Hello"), CancellationToken.None));

        Assert.Contains("550", error.Message);
        Assert.DoesNotContain("@example.com", error.ToString());
        Assert.Empty(app.Smtp.Messages);
    }

    [Fact]
    public async Task With_a_user_name_configured_the_sender_signs_in_and_a_wrong_password_sends_nothing()
    {
        await using var sink = await SmtpSink.StartAsync(credentials: ("relay-user", "relay-secret"));
        async Task<Exception?> SendWithAsync(string password)
        {
            await using var app = await DonationsApp.StartAsync(o =>
            {
                o.UseSmtp = true;
                o.Smtp = sink;
                o.HangfireServer = false;
                o.Settings["Email:Smtp:Username"] = "relay-user";
                o.Settings["Email:Smtp:Password"] = password;
            });
            try
            {
                await app.Services.GetRequiredService<IEmailSender>().SendAsync(Message("reader@example.com", "Hello"), CancellationToken.None);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }

        Assert.Null(await SendWithAsync("relay-secret"));
        var refused = await SendWithAsync("wrong");

        Assert.IsType<MailKit.Security.AuthenticationException>(refused);
        Assert.IsNotType<EmailRejectedException>(refused); // retried: a password fixed in the settings lets the mail go
        Assert.Equal((1, 1), (sink.Messages.Count, sink.AuthenticatedMessages));
    }

    [Fact]
    public async Task Smtp_outage_surfaces_as_a_transient_failure_and_recovers()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var sender = app.Services.GetRequiredService<IEmailSender>();
        await app.Smtp!.StopAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            sender.SendAsync(Message("reader@example.com", "During outage"), CancellationToken.None));
        // A refused connection, not a refusal of the message: the callers retry the one and not the other.
        Assert.IsNotType<EmailRejectedException>(error);
        Assert.Contains(Causes(error), e => e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused });

        await app.Smtp.ResumeAsync();
        await sender.SendAsync(Message("reader@example.com", "After outage"), CancellationToken.None);
        Assert.Equal("After outage", Assert.Single(app.Smtp.Messages).Subject);
    }

    [Fact]
    public async Task Smtp_try_again_later_is_not_a_refusal_and_the_next_attempt_is_accepted()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        app.Smtp!.Defer("busy@example.com");
        var sender = app.Services.GetRequiredService<IEmailSender>();

        var error = await Assert.ThrowsAsync<EmailDeferredException>(() =>
            sender.SendAsync(Message("busy@example.com", "Hello"), CancellationToken.None));
        await sender.SendAsync(Message("busy@example.com", "Hello"), CancellationToken.None);

        Assert.Equal(451, error.StatusCode);
        // The server quoted the address; what is thrown (and kept in Hangfire's job state) does not.
        Assert.Contains("mailbox full", error.Message);
        Assert.DoesNotContain("busy@example.com", error.ToString());
        Assert.DoesNotContain("@example.com", error.ToString()); // not even a hint: the domain may be the donor's own
        Assert.Equal(1, app.Smtp.Deferred);
        Assert.Equal("Hello", Assert.Single(app.Smtp.Messages).Subject);
    }

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    private static MimeMessage Message(string to, string subject) => new(
        [MailboxAddress.Parse("Example Journal <donations@example.org>")],
        [MailboxAddress.Parse(to)],
        subject,
        new TextPart("plain") { Text = "Thank you." });
}
