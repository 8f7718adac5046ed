import { Body, Controller, Get, Injectable, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequireRole } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import { isValidHandle } from '../domain';

export interface Responder {
  handle: string;
  name: string;
  email: string | null;
  slackUserId: string | null;
  createdAt: string;
  updatedAt: string;
}

export class PutResponderDto {
  @ApiProperty({ example: 'Alice Example', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: 'U024BE7LH' })
  @IsOptional()
  @Matches(/^[UW][A-Z0-9]{2,30}$/, { message: 'slackUserId must be a Slack user id such as U024BE7LH' })
  slackUserId?: string;
}

interface ResponderRow {
  handle: string;
  name: string;
  email: string | null;
  slack_user_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const view = (r: ResponderRow): Responder => ({
  handle: r.handle,
  name: r.name,
  email: r.email,
  slackUserId: r.slack_user_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The responders directory: who a handle is and how to reach them. Role assignees need not be in it. */
@Injectable()
export class ResponderDirectory {
  constructor(private readonly db: DataSource) {}

  async put(handle: string, input: PutResponderDto): Promise<Responder> {
    const [row] = (await this.db.query(
      `INSERT INTO responders (handle, name, email, slack_user_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (handle) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
         slack_user_id = EXCLUDED.slack_user_id, updated_at = now()
       RETURNING *`,
      [handle, input.name.trim(), input.email ?? null, input.slackUserId ?? null],
    )) as ResponderRow[];
    return view(row);
  }

  async list(): Promise<Responder[]> {
    return ((await this.db.query(`SELECT * FROM responders ORDER BY handle`)) as ResponderRow[]).map(view);
  }

  async find(handle: string): Promise<Responder | null> {
    const [row] = (await this.db.query(`SELECT * FROM responders WHERE handle = $1`, [handle])) as ResponderRow[];
    return row ? view(row) : null;
  }
}

function handleParam(handle: string): string {
  if (!isValidHandle(handle)) {
    throw new AppError('invalid', 'INVALID_HANDLE', 'handle must be 1 to 100 characters without spaces', [
      { path: 'handle', problem: 'must be 1 to 100 characters without spaces or control characters' },
    ]);
  }
  return handle;
}

@ApiTags('responders')
@ApiBearerAuth()
@Controller('api/v1/responders')
export class RespondersController {
  constructor(private readonly directory: ResponderDirectory) {}

  @Put(':handle')
  @RequireRole('admin')
  put(@Param('handle') handle: string, @Body() body: PutResponderDto) {
    return this.directory.put(handleParam(handle), body);
  }

  @Get()
  async list() {
    return { items: await this.directory.list() };
  }

  @Get(':handle')
  async get(@Param('handle') handle: string) {
    const responder = await this.directory.find(handleParam(handle));
    if (!responder) throw new AppError('not_found', 'RESPONDER_NOT_FOUND', `No responder with handle ${handle}`);
    return responder;
  }
}
