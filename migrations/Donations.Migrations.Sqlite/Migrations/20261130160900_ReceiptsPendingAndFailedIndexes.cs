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
            migrationBuilder.DropIndex(
                name: "IX_Receipts_Status",
                table: "Receipts");

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
