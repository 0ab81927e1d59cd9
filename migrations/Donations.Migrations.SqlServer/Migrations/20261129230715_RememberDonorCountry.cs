using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Donations.Migrations.SqlServer.Migrations
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
                type: "nvarchar(2)",
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
