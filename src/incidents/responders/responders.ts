import { Body, Controller, Get, Inject, Injectable, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RequireRole } from '../../platform/auth/auth.guard';
import { AppError, ErrorDetail } from '../../platform/http/app-error';
import { isValidHandle, PageMethod } from '../domain';
import { contactMethodsOf, enabledPageMethods, ISO_DURATION, PAGE_METHOD_NAMES } from './contact-methods';

/** "Reach me by `method`, `after` this long into a page step" (ISO 8601). */
export interface NotificationRule {
  after: string;
  method: PageMethod;
}

export interface Responder {
  handle: string;
  name: string;
  email: string | null;
  slackUserId: string | null;
  /** E.164: SMS and voice pages. */
  phone: string | null;
  /** Empty: every method the responder has, at once, when paged. */
  notificationRules: NotificationRule[];
  createdAt: string;
  updatedAt: string;
}

export class NotificationRuleDto {
  @ApiProperty({ example: 'PT2M', description: 'ISO 8601 delay from the start of the page step' })
  @IsString()
  @Matches(ISO_DURATION, { message: 'after must be an ISO 8601 duration such as PT0S or PT5M' })
  after!: string;

  @ApiProperty({ enum: PAGE_METHOD_NAMES })
  @IsIn(PAGE_METHOD_NAMES, { message: `method must be one of ${PAGE_METHOD_NAMES.join(', ')}` })
  method!: PageMethod;
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

  @ApiPropertyOptional({ example: '+14155550123', description: 'E.164; counts as both sms and voice' })
  @IsOptional()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number such as +14155550123' })
  phone?: string;

  @ApiPropertyOptional({ type: [NotificationRuleDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => NotificationRuleDto)
  notificationRules?: NotificationRuleDto[];
}

interface ResponderRow {
  handle: string;
  name: string;
  email: string | null;
  slack_user_id: string | null;
  phone: string | null;
  notification_rules: NotificationRule[] | null;
  created_at: Date;
  updated_at: Date;
}

const view = (r: ResponderRow): Responder => ({
  handle: r.handle,
  name: r.name,
  email: r.email,
  slackUserId: r.slack_user_id,
  phone: r.phone,
  notificationRules: r.notification_rules ?? [],
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The responders directory: who a handle is and how to reach them. Role assignees need not be in it. */
@Injectable()
export class ResponderDirectory {
  private readonly enabled: PageMethod[];

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.enabled = enabledPageMethods(config);
  }

  async put(handle: string, input: PutResponderDto): Promise<Responder> {
    const rules = (input.notificationRules ?? []).map((r) => ({ after: r.after, method: r.method }));
    this.checkRules(input, rules);
    const [row] = (await this.db.query(
      `INSERT INTO responders (handle, name, email, slack_user_id, phone, notification_rules) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (handle) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
         slack_user_id = EXCLUDED.slack_user_id, phone = EXCLUDED.phone,
         notification_rules = EXCLUDED.notification_rules, updated_at = now()
       RETURNING *`,
      [
        handle,
        input.name.trim(),
        input.email ?? null,
        input.slackUserId ?? null,
        input.phone ?? null,
        JSON.stringify(rules),
      ],
    )) as ResponderRow[];
    return view(row);
  }

  /** A rule must name a method the responder has, on a channel that is on here. */
  private checkRules(input: PutResponderDto, rules: NotificationRule[]): void {
    const has = contactMethodsOf({
      email: input.email ?? null,
      slackUserId: input.slackUserId ?? null,
      phone: input.phone ?? null,
    });
    const details: ErrorDetail[] = [];
    rules.forEach((rule, i) => {
      const path = `notificationRules[${i}].method`;
      if (!has.includes(rule.method))
        details.push({ path, problem: `the responder has no ${rule.method} contact (${contactNeed(rule.method)})` });
      else if (!this.enabled.includes(rule.method))
        details.push({ path, problem: `the ${rule.method} channel is off on this deployment` });
    });
    if (details.length > 0) {
      throw new AppError('invalid', 'INVALID_NOTIFICATION_RULE', `notification rules: ${details[0].problem}`, details);
    }
  }

  async list(): Promise<Responder[]> {
    return ((await this.db.query(`SELECT * FROM responders ORDER BY handle`)) as ResponderRow[]).map(view);
  }

  async find(handle: string): Promise<Responder | null> {
    const [row] = (await this.db.query(`SELECT * FROM responders WHERE handle = $1`, [handle])) as ResponderRow[];
    return row ? view(row) : null;
  }

  /** The responder a Slack user is (chat commands, buttons, reactions act as them). */
  async findBySlackUserId(slackUserId: string): Promise<Responder | null> {
    const [row] = (await this.db.query(`SELECT * FROM responders WHERE slack_user_id = $1 ORDER BY handle LIMIT 1`, [
      slackUserId,
    ])) as ResponderRow[];
    return row ? view(row) : null;
  }
}

function contactNeed(method: PageMethod): string {
  return method === 'email' ? 'set email' : method === 'slack' ? 'set slackUserId' : 'set phone';
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
