"""The monitoring domain (kiểm tra, giám sát sau công nhận; báo cáo; chỉ tiêu): pure, no I/O but reading its
reference files. Aggregates, their commands, events and errors are listed in README.md beside this file.

Aggregates: ``register.RegisterEntry`` (the certified-product register), ``plans.InspectionPlan`` (a plan, also the
campaign), ``inspections.Inspection`` (one product's inspection and the follow-up of a failure),
``reports.DistrictReport``, ``target_setting.TargetSetting``. Pure rules: ``certificates`` (as-of register
questions), ``verdict`` (pass/fail and recommended action), ``follow_up`` (under review / overdue),
``deadlines`` (expected reports and their due dates), ``reporting`` (on time, late, missing), ``targets``
(progress). Input checks naming the field: ``checks``. Data: ``reference``, ``units``.
"""
