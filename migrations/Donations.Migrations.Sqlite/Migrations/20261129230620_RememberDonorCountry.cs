using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RememberDonorCountry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Country",
                table: "Donors",
                type: "TEXT",
                maxLength: 2,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Country",
                table: "Donors");
        }
    }
}
