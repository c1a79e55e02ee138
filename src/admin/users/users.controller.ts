import { Body, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { UserIdParams } from 'src/admin/common/admin-params.dto';
import { CreateUserDto, RotatePasskeyDto, UpdateUserDto } from 'src/admin/users/user.dto';
import { UsersService } from 'src/admin/users/users.service';

@AdminController('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Get(':id')
  get(@Param() { id }: UserIdParams) {
    return this.users.get(id);
  }

  @Patch(':id')
  update(@Param() { id }: UserIdParams, @Body() dto: UpdateUserDto) {
    return this.users.update(id, dto);
  }

  @Post(':id/passkey')
  @HttpCode(200)
  rotatePasskey(@Param() { id }: UserIdParams, @Body() dto: RotatePasskeyDto) {
    return this.users.rotatePasskey(id, dto.passkey);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param() { id }: UserIdParams) {
    return this.users.delete(id);
  }

  @Get(':id/torrents')
  torrents(@Param() { id }: UserIdParams) {
    return this.users.torrents(id);
  }
}
