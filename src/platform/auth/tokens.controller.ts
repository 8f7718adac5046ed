import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { RequireRole } from './auth.guard';
import { AccessRole, ROLES } from './roles';
import { TokenService } from './token.service';

export class CreateTokenDto {
  @ApiProperty({ example: 'grafana-oncall-bridge', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'responder' })
  @IsIn(ROLES)
  role!: AccessRole;
}

@ApiTags('auth')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  /** The token itself is in this response only; it is stored hashed. */
  @Post()
  create(@Body() body: CreateTokenDto) {
    return this.tokens.create(body.name.trim(), body.role);
  }

  @Get()
  async list() {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', new ParseUUIDPipe()) id: string) {
    await this.tokens.remove(id);
  }
}
