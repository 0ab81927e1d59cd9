using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class IndexGiftsByWhenRecordedAndChanged : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Donations_CreatedAt",
                table: "Donations",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Donations_UpdatedAt",
                table: "Donations",
                column: "UpdatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Donations_CreatedAt",
                table: "Donations");

            migrationBuilder.DropIndex(
                name: "IX_Donations_UpdatedAt",
                table: "Donations");
        }
    }
}
