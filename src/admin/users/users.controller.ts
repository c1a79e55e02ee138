import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { UserIdParams } from 'src/admin/common/admin-params.dto';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import { BulkResultDto } from 'src/admin/common/bulk-result.dto';
import { CreateUserDto, RotatePasskeyDto, UpdateUserDto } from 'src/admin/users/user.dto';
import {
  BulkUsersDto,
  PasskeyDto,
  UserDto,
  UserListQuery,
  UserPageDto,
  UserPeerPageDto,
  UserTorrentDto,
  UserTorrentPageDto,
  UserTorrentsQuery,
} from 'src/admin/users/user-views.dto';
import { UsersBulkService } from 'src/admin/users/users-bulk.service';
import { UsersService } from 'src/admin/users/users.service';

const { OK, CREATED, NO_CONTENT, NOT_FOUND, CONFLICT } = HttpStatus;

@AdminController('users')
@ApiExtraModels(UserTorrentDto, UserTorrentPageDto)
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly bulk: UsersBulkService,
  ) {}

  @Post()
  @AdminOperation('Create a user', { status: CREATED, type: UserDto }, CONFLICT)
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Put()
  @HttpCode(OK)
  @AdminOperation('Create or update up to 10,000 users; a failed item never fails the others', {
    status: OK,
    type: BulkResultDto,
  })
  upsert(@Body() dto: BulkUsersDto) {
    return this.bulk.upsert(dto.users);
  }

  @Get()
  @AdminOperation('List users in id order, a page at a time', { status: OK, type: UserPageDto })
  list(@Query() query: UserListQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  @AdminOperation('Get a user with its totals and live torrents', { status: OK, type: UserDto }, NOT_FOUND)
  get(@Param() { id }: UserIdParams) {
    return this.users.get(id);
  }

  @Patch(':id')
  @AdminOperation(
    'Change a user; enabled:false also drops its peers from every swarm at once',
    { status: OK, type: UserDto },
    NOT_FOUND,
  )
  update(@Param() { id }: UserIdParams, @Body() dto: UpdateUserDto) {
    return this.users.update(id, dto);
  }

  @Post(':id/passkey')
  @HttpCode(OK)
  @AdminOperation(
    'Set or generate a new passkey; the old one fails at once',
    { status: OK, type: PasskeyDto },
    NOT_FOUND,
    CONFLICT,
  )
  rotatePasskey(@Param() { id }: UserIdParams, @Body() dto: RotatePasskeyDto) {
    return this.users.rotatePasskey(id, dto.passkey);
  }

  @Delete(':id')
  @HttpCode(NO_CONTENT)
  @AdminOperation('Delete a user; its passkey fails and its peers leave at once', { status: NO_CONTENT }, NOT_FOUND)
  delete(@Param() { id }: UserIdParams) {
    return this.users.delete(id);
  }

  @Get(':id/torrents')
  @AdminOperation(
    "The user's history: all of it without a query, else a page in info hash order",
    { status: OK },
    NOT_FOUND,
  )
  @ApiOkResponse({
    description: 'Without after/limit/active/completed: every row, most recently active first; with any: a page',
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(UserTorrentDto) } },
        { $ref: getSchemaPath(UserTorrentPageDto) },
      ],
    },
  })
  torrents(@Param() { id }: UserIdParams, @Query() query: UserTorrentsQuery) {
    const paged = Object.values(query).some((value) => value !== undefined);
    return paged ? this.users.torrentsPage(id, query) : this.users.torrents(id);
  }

  @Get(':id/peers')
  @AdminOperation("The user's live peers, in every swarm", { status: OK, type: UserPeerPageDto }, NOT_FOUND)
  peers(@Param() { id }: UserIdParams) {
    return this.users.peersOf(id);
  }
}
