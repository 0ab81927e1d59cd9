using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class StripeEventsIndexedByWhatEachReaderLooksFor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The new indexes first, the old one last: on PostgreSQL dropping an index locks the
            // table until the migration commits, so the lock is taken after the builds, not before.
            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_Failed",
                table: "StripeEvents",
                column: "ReceivedAt",
                filter: "\"Status\" = 'Failed'");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_HandedOver",
                table: "StripeEvents",
                column: "EnqueuedAt",
                filter: "\"Status\" = 'Received' AND \"EnqueuedAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_Ignored",
                table: "StripeEvents",
                column: "ReceivedAt",
                filter: "\"Status\" = 'Ignored'");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_WaitingToBeEnqueued",
                table: "StripeEvents",
                column: "ReceivedAt",
                filter: "\"Status\" = 'Received' AND \"EnqueuedAt\" IS NULL");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_Status_EnqueuedAt",
                table: "StripeEvents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_Failed",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_HandedOver",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_Ignored",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_WaitingToBeEnqueued",
                table: "StripeEvents");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_Status_EnqueuedAt",
                table: "StripeEvents",
                columns: new[] { "Status", "EnqueuedAt" });
        }
    }
}
