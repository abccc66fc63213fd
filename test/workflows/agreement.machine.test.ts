import { expect } from 'chai';
import type { AgreementEvent, AgreementEventType, Role } from '../../workflows/agreement/agreement.events.ts';
import {
  movesOn,
  nextEventsFor,
  startWorkflow,
  stateHasTag,
  stateNameHasTag,
  step,
  type Effect,
  type PersistedWorkflow,
  type StateTag,
} from '../../workflows/agreement/agreement.workflow.ts';

const PARTIES = ['sverdlovsk', 'gyeonggi'] as const;
const event = (type: AgreementEventType, party: string, role: Role | 'system', date?: string) => ({
  type,
  actor: { party, role },
  ...(date && { date }),
});
const system = (type: AgreementEventType, date = '2026-01-01') => event(type, '*', 'system', date);

/** Applies events that must all be accepted; fails the test at the first refusal. */
function run(workflow: PersistedWorkflow, ...events: AgreementEvent[]): PersistedWorkflow {
  return events.reduce((current, next) => {
    const outcome = step(current, next);
    if (!outcome.accepted) throw new Error(`${next.type} by ${next.actor.role}@${next.actor.party} refused: ${outcome.reason}`);
    return outcome.next;
  }, workflow);
}

const submitted = () => run(startWorkflow(PARTIES), event('SUBMIT', 'sverdlovsk', 'legal'));
const reviewed = () => run(submitted(), event('APPROVE', 'sverdlovsk', 'legal'), event('APPROVE', 'gyeonggi', 'legal'));
const approved = () => run(reviewed(), event('APPROVE', 'gyeonggi', 'official'), event('APPROVE', 'sverdlovsk', 'official'));
const signed = () => run(approved(), event('SIGN', 'gyeonggi', 'signatory'), event('SIGN', 'sverdlovsk', 'signatory'));
const inForce = () => run(signed(), system('ENTER_INTO_FORCE'));
/** Submitted to enter into force on the later of the two notifications, then approved and signed by gyeonggi. */
const signedOnceEnteringOnNotifications = () =>
  run(
    startWorkflow(PARTIES),
    { ...event('SUBMIT', 'sverdlovsk', 'legal'), terms: { firstSigner: null, entryIntoForce: 'notifications' as const } },
    event('APPROVE', 'sverdlovsk', 'legal'),
    event('APPROVE', 'gyeonggi', 'legal'),
    event('APPROVE', 'gyeonggi', 'official'),
    event('APPROVE', 'sverdlovsk', 'official'),
    event('SIGN', 'gyeonggi', 'signatory'),
  );
const signedEnteringOnNotifications = () => run(signedOnceEnteringOnNotifications(), event('SIGN', 'sverdlovsk', 'signatory'));

describe('agreement machine', () => {
  it('when a new agreement starts, then it is drafting with no approvals', () => {
    expect(startWorkflow(PARTIES)).to.deep.equal({
      value: 'drafting',
      context: {
        parties: [...PARTIES],
        reviewedBy: [],
        approvedBy: [],
        signedBy: [],
        terms: { firstSigner: null, entryIntoForce: 'signature' },
        completions: {},
        inForceSince: null,
        term: 1,
        notice: null,
      },
    });
  });

  it('when the happy path runs, then every stage is passed in order and the last signature executes it', () => {
    const afterFirstReview = run(submitted(), event('APPROVE', 'sverdlovsk', 'legal'));
    expect(afterFirstReview.value).to.equal('review');
    expect(reviewed().value).to.equal('approval');
    expect(approved().value).to.equal('signing');
    const oneSignature = run(approved(), event('SIGN', 'gyeonggi', 'signatory'));
    expect(oneSignature.value).to.equal('signing');
    expect(oneSignature.context.signedBy).to.deep.equal(['gyeonggi']);
    expect(run(oneSignature, event('SIGN', 'sverdlovsk', 'signatory')).value).to.equal('executed');
  });

  it('when the two parties approve in either order, then both orders reach the next stage', () => {
    const reversed = run(submitted(), event('APPROVE', 'gyeonggi', 'legal'), event('APPROVE', 'sverdlovsk', 'legal'));
    expect(reversed.value).to.equal('approval');
    expect(reversed.context.reviewedBy).to.have.members([...PARTIES]);
    const officialsReversed = run(reviewed(), event('APPROVE', 'sverdlovsk', 'official'), event('APPROVE', 'gyeonggi', 'official'));
    expect(officialsReversed.value).to.equal('signing');
  });

  it('when changes are requested in review or approval, then it returns to drafting and the approvals are cleared', () => {
    for (const [workflow, role] of [
      [run(submitted(), event('APPROVE', 'sverdlovsk', 'legal')), 'legal'],
      [run(reviewed(), event('APPROVE', 'gyeonggi', 'official')), 'official'],
    ] as const) {
      const back = run(workflow, event('REQUEST_CHANGES', 'gyeonggi', role));
      expect(back.value).to.equal('drafting');
      expect(back.context.reviewedBy).to.deep.equal([]);
      expect(back.context.approvedBy).to.deep.equal([]);
    }
  });

  it('when withdrawn before signing, then it is withdrawn for good', () => {
    for (const workflow of [startWorkflow(PARTIES), submitted(), reviewed()]) {
      const withdrawn = run(workflow, event('WITHDRAW', 'gyeonggi', 'official'));
      expect(withdrawn.value).to.equal('withdrawn');
      expect(nextEventsFor(withdrawn, { party: 'gyeonggi', role: 'official' })).to.deep.equal([]);
    }
    expect(step(approved(), event('WITHDRAW', 'sverdlovsk', 'official'))).to.deep.equal({ accepted: false, reason: 'not-now' });
  });

  describe('refused events', () => {
    const cases: [string, () => PersistedWorkflow, ReturnType<typeof event>, 'wrong-role' | 'not-now'][] = [
      ['an official submits', () => startWorkflow(PARTIES), event('SUBMIT', 'sverdlovsk', 'official'), 'wrong-role'],
      ['a signatory submits', () => startWorkflow(PARTIES), event('SUBMIT', 'gyeonggi', 'signatory'), 'wrong-role'],
      ['anyone approves a draft', () => startWorkflow(PARTIES), event('APPROVE', 'sverdlovsk', 'legal'), 'not-now'],
      ['anyone signs a draft', () => startWorkflow(PARTIES), event('SIGN', 'sverdlovsk', 'signatory'), 'not-now'],
      ['an official approves in review', submitted, event('APPROVE', 'sverdlovsk', 'official'), 'wrong-role'],
      [
        'legal staff approve twice',
        () => run(submitted(), event('APPROVE', 'gyeonggi', 'legal')),
        event('APPROVE', 'gyeonggi', 'legal'),
        'not-now',
      ],
      ['submitting again in review', submitted, event('SUBMIT', 'sverdlovsk', 'legal'), 'not-now'],
      ['legal staff approve in approval', reviewed, event('APPROVE', 'gyeonggi', 'legal'), 'wrong-role'],
      ['a signatory signs in approval', reviewed, event('SIGN', 'gyeonggi', 'signatory'), 'not-now'],
      ['an official signs', approved, event('SIGN', 'gyeonggi', 'official'), 'wrong-role'],
      [
        'a signatory signs twice',
        () => run(approved(), event('SIGN', 'gyeonggi', 'signatory')),
        event('SIGN', 'gyeonggi', 'signatory'),
        'not-now',
      ],
      ['changes are requested in signing', approved, event('REQUEST_CHANGES', 'gyeonggi', 'legal'), 'not-now'],
      ['a user sends a system event', approved, event('ENTER_INTO_FORCE', 'gyeonggi', 'official'), 'not-now'],
      ['notice is given before entry into force', approved, event('GIVE_NOTICE', 'gyeonggi', 'official'), 'not-now'],
      ['a stranger party acts', submitted, event('APPROVE', 'moscow', 'legal'), 'not-now'],
    ];
    for (const [scenario, workflow, refused, reason] of cases) {
      it(`when ${scenario}, then it is refused (${reason}) and the workflow is unchanged`, () => {
        const before = workflow();
        const snapshot = JSON.stringify(before);
        expect(step(before, refused)).to.deep.equal({ accepted: false, reason });
        expect(JSON.stringify(before)).to.equal(snapshot);
      });
    }
  });

  it('when asked what a user may do, then only the events the machine would accept from them are listed', () => {
    expect(nextEventsFor(startWorkflow(PARTIES), { party: 'sverdlovsk', role: 'legal' })).to.deep.equal(['SUBMIT', 'WITHDRAW']);
    expect(nextEventsFor(startWorkflow(PARTIES), { party: 'sverdlovsk', role: 'signatory' })).to.deep.equal([]);
    expect(nextEventsFor(submitted(), { party: 'gyeonggi', role: 'legal' })).to.deep.equal(['APPROVE', 'REQUEST_CHANGES', 'WITHDRAW']);
    expect(nextEventsFor(approved(), { party: 'gyeonggi', role: 'signatory' })).to.deep.equal(['SIGN']);
  });

  it('when asked whether one actor\u2019s event moves the agreement on, then a draft needs either party\u2019s submission and a review both parties\u2019', () => {
    for (const party of PARTIES) expect(movesOn(startWorkflow(PARTIES), 'SUBMIT', { party, role: 'legal' }), party).to.equal(true);
    for (const party of PARTIES) expect(movesOn(submitted(), 'APPROVE', { party, role: 'legal' }), party).to.equal(false);
    const reviewedBySverdlovsk = run(submitted(), event('APPROVE', 'sverdlovsk', 'legal'));
    expect(movesOn(reviewedBySverdlovsk, 'APPROVE', { party: 'gyeonggi', role: 'legal' })).to.equal(true);
    expect(movesOn(reviewedBySverdlovsk, 'APPROVE', { party: 'sverdlovsk', role: 'legal' })).to.equal(false);
    expect(movesOn(startWorkflow(PARTIES), 'SUBMIT', { party: 'sverdlovsk', role: 'signatory' })).to.equal(false);
  });

  it('when a persisted snapshot is read back as JSON, then it continues exactly as before', () => {
    const restored = JSON.parse(JSON.stringify(run(reviewed(), event('APPROVE', 'gyeonggi', 'official'))));
    expect(run(restored, event('APPROVE', 'sverdlovsk', 'official')).value).to.equal('signing');
  });

  describe('effects: what each transition causes, as step() returns it', () => {
    const cases: [string, () => PersistedWorkflow, ReturnType<typeof event>, Effect[]][] = [
      [
        'SUBMIT enters review',
        () => startWorkflow(PARTIES),
        event('SUBMIT', 'sverdlovsk', 'legal'),
        [{ type: 'scheduleDueReminders', params: { stage: 'review' } }],
      ],
      [
        'the first review APPROVE stays in review',
        submitted,
        event('APPROVE', 'sverdlovsk', 'legal'),
        [{ type: 'storeApproval', params: { stage: 'review' } }],
      ],
      [
        'the last review APPROVE enters approval',
        () => run(submitted(), event('APPROVE', 'sverdlovsk', 'legal')),
        event('APPROVE', 'gyeonggi', 'legal'),
        [
          { type: 'cancelDueReminders' },
          { type: 'storeApproval', params: { stage: 'review' } },
          { type: 'scheduleDueReminders', params: { stage: 'approval' } },
        ],
      ],
      [
        'the first official APPROVE stays in approval',
        reviewed,
        event('APPROVE', 'gyeonggi', 'official'),
        [{ type: 'storeApproval', params: { stage: 'approval' } }],
      ],
      [
        'the last official APPROVE enters signing',
        () => run(reviewed(), event('APPROVE', 'gyeonggi', 'official')),
        event('APPROVE', 'sverdlovsk', 'official'),
        [
          { type: 'cancelDueReminders' },
          { type: 'storeApproval', params: { stage: 'approval' } },
          { type: 'freezeOriginals' },
          { type: 'scheduleDueReminders', params: { stage: 'signing' } },
          { type: 'announceMilestone' },
        ],
      ],
      [
        'REQUEST_CHANGES in review',
        submitted,
        event('REQUEST_CHANGES', 'gyeonggi', 'legal'),
        [{ type: 'cancelDueReminders' }, { type: 'auditApprovalsCleared' }],
      ],
      [
        'REQUEST_CHANGES in approval',
        reviewed,
        event('REQUEST_CHANGES', 'gyeonggi', 'official'),
        [{ type: 'cancelDueReminders' }, { type: 'auditApprovalsCleared' }],
      ],
      ['WITHDRAW while drafting', () => startWorkflow(PARTIES), event('WITHDRAW', 'gyeonggi', 'official'), [{ type: 'announceMilestone' }]],
      [
        'WITHDRAW in review',
        submitted,
        event('WITHDRAW', 'gyeonggi', 'official'),
        [{ type: 'cancelDueReminders' }, { type: 'announceMilestone' }],
      ],
      ['the first SIGN stays in signing', approved, event('SIGN', 'gyeonggi', 'signatory'), [{ type: 'signOriginals' }]],
      [
        'the last SIGN executes an agreement in force on signature',
        () => run(approved(), event('SIGN', 'gyeonggi', 'signatory')),
        event('SIGN', 'sverdlovsk', 'signatory'),
        [{ type: 'cancelDueReminders' }, { type: 'signOriginals' }, { type: 'scheduleEntryIntoForce' }, { type: 'announceMilestone' }],
      ],
      [
        'the last SIGN executes an agreement in force on notifications',
        signedOnceEnteringOnNotifications,
        event('SIGN', 'sverdlovsk', 'signatory'),
        [{ type: 'cancelDueReminders' }, { type: 'signOriginals' }, { type: 'announceMilestone' }],
      ],
      ['ENTER_INTO_FORCE', signed, system('ENTER_INTO_FORCE'), [{ type: 'startTerm' }, { type: 'announceMilestone' }]],
      [
        'the first NOTIFY_COMPLETION stays executed',
        signedEnteringOnNotifications,
        event('NOTIFY_COMPLETION', 'gyeonggi', 'official', '2026-01-01'),
        [],
      ],
      [
        'the last NOTIFY_COMPLETION enters into force',
        () => run(signedEnteringOnNotifications(), event('NOTIFY_COMPLETION', 'gyeonggi', 'official', '2026-01-01')),
        event('NOTIFY_COMPLETION', 'sverdlovsk', 'legal', '2026-01-02'),
        [{ type: 'startTerm' }, { type: 'announceMilestone' }],
      ],
      ['GIVE_NOTICE', inForce, event('GIVE_NOTICE', 'gyeonggi', 'official', '2027-01-01'), [{ type: 'planTermination' }]],
      ['RENEW', inForce, system('RENEW', '2031-01-01'), [{ type: 'startNextTerm' }]],
      ['EXPIRE', inForce, system('EXPIRE', '2031-01-01'), [{ type: 'endSchedule' }, { type: 'announceMilestone' }]],
      [
        'TERMINATE after a notice',
        () => run(inForce(), event('GIVE_NOTICE', 'gyeonggi', 'official', '2027-01-01')),
        system('TERMINATE', '2027-07-01'),
        [{ type: 'endSchedule' }, { type: 'announceMilestone' }],
      ],
    ];
    for (const [scenario, workflow, sent, effects] of cases) {
      it(`when ${scenario}, then step() returns exactly its effects, in order`, () => {
        const outcome = step(workflow(), sent);
        expect(outcome.accepted && outcome.effects).to.deep.equal(effects);
      });
    }
  });

  describe('completion by registration', () => {
    /** Signed by both, in force on notifications; Sverdlovsk's notification is its state registration. */
    const signedWithRegistration = () =>
      run(
        startWorkflow(PARTIES),
        {
          ...event('SUBMIT', 'sverdlovsk', 'legal'),
          terms: { firstSigner: null, entryIntoForce: 'notifications' as const, completionByRegistration: ['sverdlovsk'] },
        },
        event('APPROVE', 'sverdlovsk', 'legal'),
        event('APPROVE', 'gyeonggi', 'legal'),
        event('APPROVE', 'gyeonggi', 'official'),
        event('APPROVE', 'sverdlovsk', 'official'),
        event('SIGN', 'gyeonggi', 'signatory'),
        event('SIGN', 'sverdlovsk', 'signatory'),
      );
    const registration = { number: 'RU66-2026-0017', registeredOn: '2026-04-09' };

    it('when the party whose completion is its registration notifies by hand, then the machine refuses it, in either order', () => {
      const executed = signedWithRegistration();
      expect(step(executed, event('NOTIFY_COMPLETION', 'sverdlovsk', 'legal', '2026-04-09'))).to.deep.equal({
        accepted: false,
        reason: 'not-now',
      });
      const gyeonggiNotified = run(executed, event('NOTIFY_COMPLETION', 'gyeonggi', 'official', '2026-04-01'));
      expect(step(gyeonggiNotified, event('NOTIFY_COMPLETION', 'sverdlovsk', 'official', '2026-04-09')).accepted).to.equal(false);
      expect(nextEventsFor(gyeonggiNotified, { party: 'sverdlovsk', role: 'legal' })).to.not.include('NOTIFY_COMPLETION');
      // The other party notifies by hand as before.
      expect(nextEventsFor(executed, { party: 'gyeonggi', role: 'official' })).to.include('NOTIFY_COMPLETION');
    });

    it('when it notifies with its registration, then it is its completion, and the later one enters into force', () => {
      const gyeonggiNotified = run(signedWithRegistration(), event('NOTIFY_COMPLETION', 'gyeonggi', 'official', '2026-04-01'));
      const inForceNow = run(gyeonggiNotified, { ...event('NOTIFY_COMPLETION', 'sverdlovsk', 'legal', '2026-04-09'), registration });
      expect(inForceNow.value).to.equal('in-force');
      expect(inForceNow.context.completions).to.deep.equal({ gyeonggi: '2026-04-01', sverdlovsk: '2026-04-09' });
      expect(inForceNow.context.inForceSince).to.equal('2026-04-09');
    });

    it('when the terms were fixed before the rule, then a notification by hand is accepted as it was', () => {
      expect(step(signedEnteringOnNotifications(), event('NOTIFY_COMPLETION', 'sverdlovsk', 'legal', '2026-01-02')).accepted).to.equal(
        true,
      );
    });
  });

  describe('tags: what each state is or allows', () => {
    const TAGS: readonly StateTag[] = [
      'text-editable',
      'commentable',
      'deadlines-settable',
      'originals-frozen',
      'originals-signed',
      'continuable',
      'running',
      'term-dated',
      'awaiting-completion',
      'review-ahead',
      'approval-ahead',
      'signing-ahead',
    ];
    const cases: [string, () => PersistedWorkflow, StateTag[]][] = [
      [
        'drafting',
        () => startWorkflow(PARTIES),
        ['text-editable', 'commentable', 'deadlines-settable', 'review-ahead', 'approval-ahead', 'signing-ahead'],
      ],
      ['review', submitted, ['commentable', 'deadlines-settable', 'review-ahead', 'approval-ahead', 'signing-ahead']],
      ['approval', reviewed, ['commentable', 'deadlines-settable', 'approval-ahead', 'signing-ahead']],
      ['signing', approved, ['deadlines-settable', 'originals-frozen', 'signing-ahead']],
      ['executed', signed, ['originals-frozen', 'originals-signed', 'continuable', 'running', 'term-dated', 'awaiting-completion']],
      ['in-force', inForce, ['originals-frozen', 'originals-signed', 'continuable', 'running', 'term-dated']],
      ['expired', () => run(inForce(), system('EXPIRE')), ['originals-frozen', 'originals-signed', 'term-dated']],
      [
        'terminated',
        () => run(inForce(), event('GIVE_NOTICE', 'gyeonggi', 'official', '2027-01-01'), system('TERMINATE')),
        ['originals-frozen', 'originals-signed'],
      ],
      ['withdrawn', () => run(startWorkflow(PARTIES), event('WITHDRAW', 'gyeonggi', 'official')), []],
    ];
    for (const [state, workflow, tags] of cases) {
      it(`when ${state}, then it has exactly the tags: ${tags.join(', ') || 'none'}`, () => {
        const current = workflow();
        expect(current.value).to.equal(state);
        expect(TAGS.filter((tag) => stateHasTag(current, tag))).to.deep.equal(tags);
        expect(TAGS.filter((tag) => stateNameHasTag(current.value, tag))).to.deep.equal(tags);
      });
    }
  });
});
