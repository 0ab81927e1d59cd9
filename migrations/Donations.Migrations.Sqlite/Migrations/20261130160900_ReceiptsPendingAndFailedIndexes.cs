using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ReceiptsPendingAndFailedIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The new indexes first, the old one last: on PostgreSQL dropping an index locks the
            // table until the migration commits, so the lock is taken after the builds, not before.
            migrationBuilder.CreateIndex(
                name: "IX_Receipts_Failed",
                table: "Receipts",
                column: "Id",
                filter: "\"Status\" = 'Failed'");

            migrationBuilder.CreateIndex(
                name: "IX_Receipts_Pending",
                table: "Receipts",
                column: "Id",
                filter: "\"Status\" = 'Pending'");

            migrationBuilder.DropIndex(
                name: "IX_Receipts_Status",
                table: "Receipts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Receipts_Failed",
                table: "Receipts");

            migrationBuilder.DropIndex(
                name: "IX_Receipts_Pending",
                table: "Receipts");

            migrationBuilder.CreateIndex(
                name: "IX_Receipts_Status",
                table: "Receipts",
                column: "Status");
        }
    }
}
