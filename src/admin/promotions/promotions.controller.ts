import { Body, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { AdminController } from 'src/admin/common/admin-api.decorator';
import { AdminOperation } from 'src/admin/common/admin-responses.decorator';
import {
  CreatePromotionDto,
  PromotionDto,
  PromotionIdParams,
  PromotionListQuery,
  PromotionPageDto,
} from 'src/admin/promotions/promotion.dto';
import { PromotionsService } from 'src/admin/promotions/promotions.service';

const { OK, CREATED, NO_CONTENT, NOT_FOUND } = HttpStatus;

@AdminController('promotions')
export class PromotionsController {
  constructor(private readonly promotions: PromotionsService) {}

  @Post()
  @AdminOperation(
    'Create a promotion: site-wide, for a user, for a torrent, or a token (user and torrent); honoured at once',
    { status: CREATED, type: PromotionDto },
    NOT_FOUND,
  )
  create(@Body() dto: CreatePromotionDto) {
    return this.promotions.create(dto);
  }

  @Get()
  @AdminOperation('List promotions in id order, a page at a time', { status: OK, type: PromotionPageDto })
  list(@Query() query: PromotionListQuery) {
    return this.promotions.list(query);
  }

  @Get(':id')
  @AdminOperation('Get a promotion', { status: OK, type: PromotionDto }, NOT_FOUND)
  get(@Param() { id }: PromotionIdParams) {
    return this.promotions.get(id);
  }

  @Delete(':id')
  @HttpCode(NO_CONTENT)
  @AdminOperation('Delete a promotion: it stops applying at once', { status: NO_CONTENT }, NOT_FOUND)
  delete(@Param() { id }: PromotionIdParams) {
    return this.promotions.delete(id);
  }
}
